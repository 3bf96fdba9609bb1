"""POST /api/v1/events/batch: idempotency, per-index errors, gzip, limits; the roll-ups against a recount."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import random
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from tandem.core.testing.fixtures import bearer_for
from tandem.usage.models import Daily, DailyUser, Event
from tandem.usage.tests.conftest import make_event

URL = "/api/v1/events/batch"


def post(headers, body, **extra):
    data = body if isinstance(body, bytes) else json.dumps(body)
    return Client().post(URL, data=data, content_type="application/json", **headers, **extra)


def recount() -> dict[tuple[int, dt.date, str], tuple[int, int]]:
    """The roll-ups as they should be, from the raw events."""
    totals: dict[tuple[int, dt.date, str], tuple[int, set[str]]] = {}
    for account_id, stamp, name, user in Event.objects.values_list("account_id", "timestamp", "event", "user_id"):
        count, users = totals.setdefault((account_id, stamp.astimezone(dt.UTC).date(), name), (0, set()))
        if user:
            users.add(user)
        totals[(account_id, stamp.astimezone(dt.UTC).date(), name)] = (count + 1, users)
    return {key: (count, len(users)) for key, (count, users) in totals.items()}


def rollups() -> dict[tuple[int, dt.date, str], tuple[int, int]]:
    return {(r.account_id, r.day, r.event): (r.events, r.users) for r in Daily.objects.all()}


def test_the_same_batch_posted_twice_stores_each_event_once(accounts, events_token):
    batch = {"events": [make_event(accounts[n % 3], user=f"u{n % 4}") for n in range(50)]}
    first = post(events_token, batch)
    assert first.status_code == 200, first.content
    assert first.json() | {"errors": [], "duplicates": []} == {
        "received": 50, "accepted": 50, "stored": 50, "already_stored": 0, "errors": [], "duplicates": []}
    second = post(events_token, batch)
    assert second.status_code == 200
    assert second.json()["stored"] == 0 and second.json()["already_stored"] == 50
    assert Event.objects.count() == 50
    assert rollups() == recount()
    assert sum(events for events, _ in rollups().values()) == 50


def test_a_message_id_repeated_inside_one_batch_is_stored_once_and_reported(accounts, events_token):
    same = make_event(accounts[0], message_id="dup-1")
    response = post(events_token, {"events": [same, make_event(accounts[0]), dict(same)]})
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] == 2 and body["stored"] == 2
    assert body["duplicates"] == [{"index": 2, "message_id": "dup-1", "duplicate_of": 0}]
    assert Event.objects.filter(message_id="dup-1").count() == 1


def test_bad_events_are_reported_by_index_while_the_valid_ones_are_stored(accounts, events_token):
    now = timezone.now()
    events = [
        make_event(accounts[0], message_id="ok-0"),
        make_event(accounts[0], properties="not an object"),
        make_event(accounts[0], when=now - dt.timedelta(days=45)),
        make_event(accounts[0], when=now + dt.timedelta(hours=3)),
        make_event("no-such-account"),
        make_event(accounts[1].external_id, message_id="ok-5"),
        {"account": accounts[0].public_id},
    ]
    response = post(events_token, {"events": events})
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] == 2 and body["stored"] == 2
    failed = [(error["index"], error["field"]) for error in body["errors"]]
    assert failed == [(1, "properties"), (2, "timestamp"), (3, "timestamp"), (4, "account"), (6, "message_id"),
                      (6, "event"), (6, "timestamp")]
    assert "Unknown account 'no-such-account'" in body["errors"][3]["message"]
    assert set(Event.objects.values_list("message_id", "account_id")) == {
        ("ok-0", accounts[0].pk), ("ok-5", accounts[1].pk)}


def test_a_batch_without_any_valid_event_is_a_422_listing_every_index(accounts, events_token):
    response = post(events_token, {"events": [make_event("nobody"), make_event(accounts[0], event="")]})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert [error["index"] for error in response.json()["errors"]] == [0, 1]
    assert Event.objects.count() == 0


def test_a_gzip_body_is_accepted(accounts, events_token):
    body = gzip.compress(json.dumps({"events": [make_event(accounts[0]) for _ in range(10)]}).encode())
    response = post(events_token, body, HTTP_CONTENT_ENCODING="gzip")
    assert response.status_code == 200, response.content
    assert response.json()["stored"] == 10
    broken = post(events_token, b"\x1f\x8b not really gzip", HTTP_CONTENT_ENCODING="gzip")
    assert broken.status_code == 400


def test_more_than_a_thousand_events_is_a_413_naming_the_limit(accounts, events_token):
    response = post(events_token, {"events": [make_event(accounts[0]) for _ in range(1001)]})
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["limit"] == 1000 and "1000" in response.json()["detail"]
    assert Event.objects.count() == 0


def test_invalid_json_is_a_400_problem(events_token, db):
    response = post(events_token, b'{"events": [')
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "The request body is not valid JSON."
    wrong_shape = post(events_token, {"event": []})
    assert wrong_shape.status_code == 422


def test_sending_events_needs_the_scope_and_the_permission(accounts, am, admin):
    batch = {"events": [make_event(accounts[0])]}
    assert Client().post(URL, data=json.dumps(batch), content_type="application/json").status_code == 401
    assert post(bearer_for(admin, ["accounts:read"]), batch).status_code == 403
    assert post(bearer_for(am, ["events:write"]), batch).status_code == 403
    assert Event.objects.count() == 0


def test_rollups_stay_exact_over_many_incremental_batches_with_retries(accounts, events_token):
    rng = random.Random(7)
    now = timezone.now()
    sent = []
    for _ in range(8):
        batch = [make_event(rng.choice(accounts), event=rng.choice(["a", "b", "email.opened"]),
                            user=rng.choice(["", "u1", "u2", "u3", "u4"]),
                            when=now - dt.timedelta(days=rng.randint(0, 5), minutes=rng.randint(1, 600)))
                 for _ in range(rng.randint(20, 120))]
        batch += rng.sample(sent, min(len(sent), 15))  # retried events from earlier batches
        sent += batch
        assert post(events_token, {"events": batch}).status_code == 200
    assert Event.objects.count() == len({(e["account"], e["message_id"]) for e in sent})
    assert rollups() == recount()
    assert DailyUser.objects.count() == sum(users for _, users in recount().values())


def test_the_batch_marks_its_accounts_dirty_for_the_health_job(accounts, events_token):
    from tandem.usage.services import claim_dirty_accounts

    post(events_token, {"events": [make_event(accounts[0]), make_event(accounts[2])]})
    claimed = claim_dirty_accounts(limit=10)
    assert sorted(account_id for account_id, _ in claimed) == sorted([accounts[0].pk, accounts[2].pk])
    assert claim_dirty_accounts(limit=10) == []
    post(events_token, {"events": [make_event(accounts[1])]})
    assert [account_id for account_id, _ in claim_dirty_accounts(limit=10)] == [accounts[1].pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions exist on PostgreSQL only")
def test_events_land_in_monthly_partitions_and_strays_in_the_default_one(accounts, events_token):
    post(events_token, {"events": [make_event(accounts[0], message_id=str(uuid.uuid4()))]})
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM usage_event")
        (partition,) = cursor.fetchone()
    month = timezone.now() - dt.timedelta(hours=1)
    assert partition == f"usage_event_y{month.year:04d}m{month.month:02d}"


def test_backslashes_quotes_and_unicode_survive_the_copy_path(accounts, events_token):
    odd = make_event(accounts[0], message_id="C:\\temp\\x", event="path\\viewed", user="jöhn \\ doe",
                     properties={"text": "line\nbreak\ttab \\ \"quoted\" 日本語", "nested": {"a": [1, None, True]}})
    response = post(events_token, {"events": [odd]})
    assert response.status_code == 200 and response.json()["stored"] == 1
    stored = Event.objects.get()
    assert (stored.message_id, stored.event, stored.user_id) == ("C:\\temp\\x", "path\\viewed", "jöhn \\ doe")
    assert stored.properties == odd["properties"]
    assert post(events_token, {"events": [odd]}).json()["already_stored"] == 1


def test_a_nul_character_in_properties_is_refused_for_that_event_only(accounts, events_token):
    response = post(events_token, {"events": [make_event(accounts[0], properties={"a": "x\u0000y"}),
                                              make_event(accounts[0])]})
    assert response.json()["stored"] == 1
    assert response.json()["errors"][0]["index"] == 0
