"""/api/v1/activities: scoping, filters, keyset pagination with children, writes and their errors."""

from __future__ import annotations

import pytest
from django.test import Client

from tandem.contacts.models import Contact
from tandem.core.testing.factories import AccountFactory, assign
from tandem.core.testing.fixtures import bearer_for
from tandem.timeline import services
from tandem.timeline.models import Activity
from tandem.timeline.tests.factories import activity_make

URL = "/api/v1/activities"


@pytest.fixture
def account(csm):
    account = AccountFactory(name="Contoso")
    assign(account, csm, "csm")
    return account


def _read(user):
    return bearer_for(user, ["activities:read"])


def _write(user):
    return bearer_for(user, ["activities:read", "activities:write"])


def _subjects(body) -> list[str]:
    return [item["subject"] for item in body["items"]]


def test_a_csm_lists_only_activities_of_their_accounts(csm, account):
    activity_make(account=account, subject="Mine")
    activity_make(account=AccountFactory(), subject="Not mine")
    assert _subjects(Client().get(URL, **_read(csm)).json()) == ["Mine"]


def test_an_invisible_account_filter_is_a_422_not_a_leak(csm):
    hidden = AccountFactory()
    response = Client().get(f"{URL}?account={hidden.public_id}", **_read(csm))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "account"


def test_pages_walk_the_hierarchy_newest_first_exactly_once(csm, account):
    child = AccountFactory(name="Child", parent=account)
    assign(child, csm, "csm")
    grandchild = AccountFactory(name="Grandchild", parent=child)
    assign(grandchild, csm, "csm")
    expected = []
    for index in range(9):
        target = (account, child, grandchild)[index % 3]
        activity_make(account=target, subject=f"A{index}", minutes_ago=100 - index)
        expected.insert(0, f"A{index}")
    activity_make(account=AccountFactory(parent=account), subject="Invisible child")
    seen, cursor = [], None
    for _page in range(10):
        query = f"?account={account.public_id}&include_children=true&limit=2"
        query += f"&cursor={cursor}" if cursor else ""
        body = Client().get(URL + query, **_read(csm)).json()
        seen += _subjects(body)
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == expected
    only_parent = Client().get(f"{URL}?account={account.public_id}", **_read(csm)).json()
    assert _subjects(only_parent) == ["A6", "A3", "A0"]


def test_filters_by_type_contact_person_and_time(csm, am, account):
    jane = Contact.objects.create(account=account, first_name="Jane", last_name="Doe")
    note = activity_make(account=account, type="note", subject="Note", created_by=am, minutes_ago=1)
    call = activity_make(account=account, type="call", subject="Call", contacts=(jane,), minutes_ago=5)
    activity_make(account=account, type="email", subject="Email", minutes_ago=10)
    client, headers = Client(), _read(csm)
    assert _subjects(client.get(f"{URL}?type=call&type=note", **headers).json()) == ["Note", "Call"]
    assert _subjects(client.get(f"{URL}?contact={jane.public_id}", **headers).json()) == ["Call"]
    assert _subjects(client.get(f"{URL}?person={am.email}", **headers).json()) == ["Note"]
    assert _subjects(client.get(f"{URL}?person=me", **headers).json()) == []
    since = call.occurred_at.isoformat().replace("+00:00", "Z")
    until = note.occurred_at.isoformat().replace("+00:00", "Z")
    assert _subjects(client.get(URL, {"since": since, "until": until}, **headers).json()) == ["Call"]


@pytest.mark.parametrize("query,field", [
    ("type=fax", "type"), ("since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z", "until"),
    ("since=yesterday", "since"), ("person=nobody@example.test", "person"), ("contact=nope", "contact")])
def test_bad_filters_get_422_with_the_field(csm, query, field):
    response = Client().get(f"{URL}?{query}", **_read(csm))
    assert response.status_code == 422, response.content
    assert field in [error["field"].split(".")[0] for error in response.json()["errors"]]


def test_creating_a_call_with_contacts_participants_and_a_file(csm, am, account):
    from tandem.files.models import StoredFile

    jane = Contact.objects.create(account=account, first_name="Jane", last_name="Doe")
    stored = StoredFile.objects.create(account=account, name="notes.pdf", content_type="application/pdf", size=3,
                                       sha256="0" * 64, blob="x.pdf")
    response = Client().post(URL, {
        "account": account.public_id, "type": "call", "direction": "inbound",
        "occurred_at": "2026-11-02T10:00:00+01:00", "subject": "Escalation", "body": "Needs *help*",
        "contacts": [jane.public_id], "participants": [am.public_id], "attachments": [stored.public_id]},
        content_type="application/json", **_write(csm))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["body_html"] == "<p>Needs <em>help</em></p>"
    assert body["occurred_at"] == "2026-11-02T09:00:00Z"
    assert [c["name"] for c in body["contacts"]] == ["Jane Doe"]
    assert [p["id"] for p in body["participants"]] == [am.public_id]
    assert [a["name"] for a in body["attachments"]] == ["notes.pdf"]
    assert body["created_by"]["id"] == csm.public_id and body["recorded_by_tandem"] is False


@pytest.mark.parametrize("changes,field", [
    ({"type": "stage_change"}, "type"), ({"contacts": ["nope"]}, "contacts"),
    ({"participants": ["nope"]}, "participants"),
    ({"subject": "", "body": ""}, "subject"), ({"direction": "sideways"}, "direction"), ({"subject": None}, "subject"),
])
def test_bad_writes_get_422_with_the_field_and_change_nothing(csm, account, changes, field):
    activity = services.activity_log(actor=csm, account=account, type="note", subject="Keep")
    response = Client().patch(f"{URL}/{activity.public_id}", changes, content_type="application/json",
                              **_write(csm))
    assert response.status_code == 422, response.content
    assert field in [error["field"] for error in response.json()["errors"]]
    activity.refresh_from_db()
    assert activity.subject == "Keep" and activity.type == "note"


def test_a_recorded_entry_is_readable_but_not_writable(admin, account):
    change = account.stage_changes.create(from_stage="trial", to_stage="onboarding")
    entry = services.record_system_activity(account=account, type="stage_change", subject="Trial → Onboarding",
                                            source=change, payload={"from": "trial", "to": "onboarding"})
    client, headers = Client(), _write(admin)
    body = client.get(f"{URL}/{entry.public_id}", **headers).json()
    assert body["recorded_by_tandem"] is True and body["source"]["type"] == "accounts.accountstagechange"
    assert client.patch(f"{URL}/{entry.public_id}", {"subject": "x"}, content_type="application/json",
                        **headers).status_code == 403
    assert client.delete(f"{URL}/{entry.public_id}", **headers).status_code == 403
    assert Activity.objects.filter(pk=entry.pk).exists()


def test_an_admin_deletes_a_logged_note(admin, account):
    activity = services.activity_log(actor=admin, account=account, type="note", subject="Bye")
    assert Client().delete(f"{URL}/{activity.public_id}", **_write(admin)).status_code == 204
    assert not Activity.objects.exists()


def test_a_page_of_activities_costs_the_same_queries_for_2_or_40_activities_with_people(admin):
    """Contacts, participants and files of a page are read in three flat queries, whatever the page holds."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tandem.contacts.models import Contact
    from tandem.core.testing.factories import AccountFactory
    from tandem.core.testing.fixtures import logged_in
    from tandem.timeline.tests.factories import activity_make

    account = AccountFactory(name="Counted")
    people = [Contact.objects.create(account=account, first_name=f"P{n}", last_name="Person") for n in range(3)]
    client = logged_in(admin)
    url = f"/api/v1/activities?account={account.public_id}&limit=50"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured.captured_queries)

    for n in range(2):
        made = activity_make(account=account, subject=f"A{n}", contacts=tuple(people), created_by=admin)
        made.participants.add(admin)
    queries()
    few = queries()
    for n in range(2, 40):
        made = activity_make(account=account, subject=f"A{n}", contacts=tuple(people), created_by=admin)
        made.participants.add(admin)
    assert queries() == few
    item = client.get(url).json()["items"][0]
    assert [c["name"] for c in item["contacts"]] == ["P0 Person", "P1 Person", "P2 Person"]
    assert item["participants"] == [{"id": admin.public_id, "name": str(admin)}]
