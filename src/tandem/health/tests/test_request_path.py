"""Issue 7 asks for no ``COUNT(*)`` over the events table and no deep OFFSET on the request path. These tests
capture every SQL statement of the requests that touch product usage and health — ingestion, the Account 360 page
with its usage and health sections, the health API and the code-red board — and look at what the database was
actually asked."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.core.testing.fixtures import bearer_for, logged_in
from tandem.health import recompute
from tandem.health.tests.conftest import subscribe, usage

pytestmark = pytest.mark.django_db

RAW_EVENTS = re.compile(r'\busage_event(_[a-z0-9_]+)?"?(\s|$)', re.IGNORECASE)  # the table or a partition
READS_RAW_EVENTS = re.compile(r'\b(FROM|JOIN)\s+"?usage_event(_[a-z0-9_]+)?"?(\s|$)', re.IGNORECASE)
COUNTING = re.compile(r"\bCOUNT\s*\(", re.IGNORECASE)
OFFSET = re.compile(r"\bOFFSET\b", re.IGNORECASE)


def statements(callable_) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        callable_()
    return [query["sql"] for query in captured.captured_queries]


def assert_cheap(sql: list[str]) -> None:
    assert sql, "the request ran no SQL at all: the capture is not looking at it"
    for statement in sql:
        # counting what an INSERT … RETURNING gave back is fine; counting rows read from the table is not
        assert not (READS_RAW_EVENTS.search(statement) and COUNTING.search(statement)), statement
        assert not OFFSET.search(statement), statement


def test_the_patterns_would_catch_what_they_forbid():
    assert READS_RAW_EVENTS.search('SELECT COUNT(*) FROM "usage_event" WHERE account_id = 1')
    assert READS_RAW_EVENTS.search("SELECT count(*) FROM usage_event_2026_11")
    assert READS_RAW_EVENTS.search("SELECT count(*) FROM accounts_account a JOIN usage_event e ON true")
    assert not READS_RAW_EVENTS.search("WITH new AS (INSERT INTO usage_event SELECT * FROM usage_stage) "
                                       "SELECT count(*) FROM new")
    assert not RAW_EVENTS.search('SELECT SUM(events) FROM "usage_daily"')
    assert OFFSET.search("SELECT id FROM accounts_account ORDER BY id LIMIT 50 OFFSET 50000")


def test_ingestion_neither_counts_raw_events_nor_pages_by_offset(team_account, admin):
    headers = bearer_for(admin, ["events:write"])
    now = timezone.now()
    body = {"events": [{"message_id": uuid.uuid4().hex, "account": team_account.public_id, "user": f"u{n}",
                        "event": "report.exported", "timestamp": now.isoformat(), "properties": {}}
                       for n in range(20)]}

    def ingest() -> None:
        response = Client().post("/api/v1/events/batch", data=body, content_type="application/json", **headers)
        assert response.status_code == 200 and response.json()["stored"] == 20

    sql = statements(ingest)
    assert_cheap(sql)
    assert any(RAW_EVENTS.search(statement) for statement in sql)  # it did write the events table


def test_account_360_health_api_and_code_red_board_read_rollups_not_raw_events(team_account, admin, csm):
    subscribe(team_account)
    usage(team_account)
    recompute.health_recompute(account_ids=[team_account.pk])
    browser = logged_in(csm)
    api = Client()
    headers = bearer_for(admin, ["health:read"])

    def pages() -> None:
        assert browser.get(reverse("accounts:account-detail", args=[team_account.public_id])).status_code == 200
        assert browser.get(reverse("health:board")).status_code == 200
        for path in (f"/api/v1/health/accounts/{team_account.public_id}",
                     f"/api/v1/health/accounts/{team_account.public_id}/history", "/api/v1/health/at-risk"):
            assert api.get(path, **headers).status_code == 200, path

    sql = statements(pages)
    assert_cheap(sql)
    assert not any(RAW_EVENTS.search(statement) for statement in sql)
    assert any("usage_daily" in statement for statement in sql)  # the usage section read the roll-ups
