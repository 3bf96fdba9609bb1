"""/api/v1/tasks: filters, scoping, status changes, bulk actions and bad input as problem+json (never a 500)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from tandem.core.testing.factories import AccountFactory, assign
from tandem.core.testing.fixtures import bearer_for
from tandem.scheduling.models import Task
from tandem.scheduling.tasks import services

URL = "/api/v1/tasks"


@pytest.fixture
def account(csm):
    account = AccountFactory(name="Contoso")
    assign(account, csm, "csm")
    return account


def headers(user, write=True):
    return bearer_for(user, ["tasks:read", "tasks:write"] if write else ["tasks:read"])


def test_a_csm_creates_a_task_for_a_day_and_reads_it_back(csm, account):
    response = Client().post(URL, {"title": "QBR", "account": account.public_id, "due": "2030-04-01",
                                   "priority": "high", "recurrence": "FREQ=MONTHLY;COUNT=3",
                                   "assignee": "me"}, content_type="application/json", **headers(csm))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["all_day"] and body["due_date"] == "2030-04-01" and body["assignee"]["email"] == csm.email
    assert body["account"]["id"] == account.public_id and body["overdue"] is False
    assert Client().get(f"{URL}/{body['id']}", **headers(csm)).json()["title"] == "QBR"


def test_the_list_filters_by_assignee_status_due_and_account(csm, am, account):
    now = timezone.now()
    services.task_create(actor=csm, title="late", due=now - datetime.timedelta(days=1), account=account)
    services.task_create(actor=csm, title="later", due=now + datetime.timedelta(days=5))
    services.task_create(actor=csm, title="for adam", assignee=am, account=account)
    client, auth = Client(), headers(csm, write=False)

    def titles(query):
        response = client.get(f"{URL}?{query}", **auth)
        assert response.status_code == 200, response.content
        return [item["title"] for item in response.json()["items"]]

    assert titles("assignee=me") == ["late", "later"]
    assert titles(f"assignee={am.email}") == ["for adam"]
    assert titles(f"account={account.public_id}") == ["late", "for adam"]
    assert titles("due_before=" + now.isoformat().replace("+00:00", "Z")) == ["late"]
    assert titles("due_after=" + now.isoformat().replace("+00:00", "Z")) == ["later"]
    assert titles("status=done") == []
    assert client.get(f"{URL}?assignee=me", **auth).json()["items"][0]["overdue"] is True


def test_a_csm_lists_only_their_and_their_accounts_tasks(csm, am, account):
    assign(account, am, "am")
    services.task_create(actor=am, title="on Carla's account", account=account)
    services.task_create(actor=am, title="elsewhere", account=AccountFactory(owner=am))
    items = Client().get(URL, **headers(csm, write=False)).json()["items"]
    assert [item["title"] for item in items] == ["on Carla's account"]


def test_patching_the_status_completes_and_reopens(csm):
    task = services.task_create(actor=csm, title="x")
    client = Client()
    body = client.patch(f"{URL}/{task.public_id}", {"status": "done"}, content_type="application/json",
                        **headers(csm)).json()
    assert body["status"] == "done" and body["completed_at"]
    body = client.patch(f"{URL}/{task.public_id}", {"status": "open", "priority": "urgent"},
                        content_type="application/json", **headers(csm)).json()
    assert body["status"] == "open" and body["completed_at"] is None and body["priority"] == "urgent"


def test_bulk_complete_with_a_forbidden_task_is_refused_whole_with_the_list(csm, viewer):
    first = services.task_create(actor=csm, title="a")
    second = services.task_create(actor=csm, title="b")
    response = Client().post(f"{URL}/bulk-complete", {"tasks": [first.public_id, second.public_id]},
                             content_type="application/json", **headers(viewer))
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    assert {error["field"] for error in response.json()["errors"]} == {first.public_id, second.public_id}
    assert set(Task.objects.values_list("status", flat=True)) == {"open"}
    response = Client().post(f"{URL}/bulk-complete", {"tasks": [first.public_id, second.public_id]},
                             content_type="application/json", **headers(csm))
    assert response.status_code == 200 and [item["status"] for item in response.json()["items"]] == ["done"] * 2


def test_bulk_reassign_moves_the_tasks(csm, am):
    task = services.task_create(actor=csm, title="a")
    response = Client().post(f"{URL}/bulk-reassign", {"tasks": [task.public_id], "assignee": am.email},
                             content_type="application/json", **headers(csm))
    assert response.status_code == 200 and response.json()["items"][0]["assignee"]["email"] == am.email


@pytest.mark.parametrize(("payload", "field"), [
    ({"title": "x", "assignee": "nobody@example.test"}, "assignee"),
    ({"title": "x", "due": "2030-04-01", "recurrence": "FREQ=WEEKLY;BYDAY=XX"}, "recurrence"),
    ({"title": "x", "due": "2030-04-01", "recurrence": "FREQ=MINUTELY"}, "recurrence"),
    ({"title": "x", "due": "2030-04-01", "recurrence": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31"}, "recurrence"),
    ({"title": "x", "due": "tomorrow"}, "due"),
    ({"title": "x", "due": "2020-01-01T10:00:00Z", "reminder_minutes": 10}, "reminder_minutes"),
    ({"title": "x", "reminder_minutes": -5}, "reminder_minutes"),
    ({"title": "x", "account": "nope"}, "account"),
    ({"title": "x", "related": {"type": "contact", "id": "nope"}}, "related.id"),
    ({"title": "x", "related": {"type": "planet", "id": "nope"}}, "related.type"),
    ({"title": "x", "priority": "extreme"}, "priority"),
])
def test_bad_input_is_a_422_naming_the_field(csm, payload, field):
    response = Client().post(URL, payload, content_type="application/json", **headers(csm))
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]
    assert not Task.objects.exists()


def test_bad_filters_are_422(csm):
    client, auth = Client(), headers(csm, write=False)
    assert client.get(f"{URL}?sort=sideways", **auth).status_code == 422
    assert client.get(f"{URL}?due_before=not-a-date", **auth).status_code == 422
    assert client.get(f"{URL}?status=maybe", **auth).status_code == 422
