"""The audit log page, its API and CSV export."""

from __future__ import annotations

import csv
import datetime
import io

from django.utils import timezone

from tandem.accounts import services as account_services
from tandem.audit.models import AuditAction, AuditEntry
from tandem.audit.services import audit_record
from tandem.core.testing.factories import AccountFactory, assign
from tandem.core.testing.fixtures import bearer_for, logged_in


def _entry(actor, obj, *, summary: str = "", at: datetime.datetime | None = None, **changes) -> AuditEntry:
    entry = audit_record(actor=actor, action=AuditAction.CHANGE, obj=obj, changes=changes, summary=summary)
    if at is not None:
        AuditEntry.objects.filter(pk=entry.pk).update(at=at)
    return entry


def test_every_change_is_in_the_log_with_before_and_after(admin):
    account = account_services.account_create(actor=admin, name="Before")
    account_services.account_update(actor=admin, account=account, name="After")
    page = logged_in(admin).get("/audit/?object_type=account").content.decode()
    assert '<span class="diff-before">Before</span> → <span class="diff-after">After</span>' in page
    assert "Alice Admin" in page


def test_the_log_filters_by_actor_type_action_text_and_days(admin, am):
    acme, globex = AccountFactory(name="Acme"), AccountFactory(name="Globex")
    day = datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)
    _entry(admin, acme, at=day, name=["a", "b"])
    _entry(am, globex, at=day + datetime.timedelta(days=2), name=["c", "d"])
    _entry(am, acme, at=day + datetime.timedelta(days=5), name=["e", "f"])
    client = logged_in(admin)

    def shown(query: str) -> list[str]:
        response = client.get("/audit/?" + query)
        assert response.status_code == 200
        return [entry.object_repr for entry in response.context["page"].items]

    assert shown("actor=ADAM@example.test") == ["Acme", "Globex"]
    assert shown("q=glob") == ["Globex"]
    assert shown("since=2026-03-11&until=2026-03-14") == ["Globex"]
    assert shown("since=2026-03-15") == ["Acme"]
    assert shown("object_type=account&action=change") == ["Acme", "Globex", "Acme"]
    assert shown("action=delete") == []


def test_a_reversed_date_range_is_shown_as_an_error(admin):
    response = logged_in(admin).get("/audit/?since=2026-03-15&until=2026-03-01")
    assert response.status_code == 422
    assert "Choose a day on or after the start date." in response.content.decode()


def test_the_log_pages_with_a_cursor_and_nothing_is_repeated(admin):
    account = AccountFactory(name="Busy")
    start = timezone.now() - datetime.timedelta(days=1)
    for index in range(53):
        _entry(admin, account, summary=f"step {index:02d}", at=start + datetime.timedelta(minutes=index % 7))
    client = logged_in(admin)
    first = client.get("/audit/")
    assert len(first.context["page"].items) == 50 and "Older entries" in first.content.decode()
    cursor = first.context["page"].next_cursor
    second = client.get(f"/audit/?cursor={cursor}")
    summaries = [entry.summary for entry in first.context["page"].items + second.context["page"].items]
    assert sorted(summaries) == [f"step {index:02d}" for index in range(53)]
    assert second.context["page"].next_cursor is None
    assert client.get("/audit/?cursor=garbage").status_code == 200


def test_the_log_is_for_those_who_may_view_it(csm, manager, viewer):
    assert logged_in(csm).get("/audit/").status_code == 404
    assert logged_in(viewer).get("/audit/").status_code == 404
    assert logged_in(manager).get("/audit/").status_code == 200


def test_the_audit_api_filters_and_paginates(admin, client):
    for index in range(3):
        account_services.account_create(actor=admin, name=f"Logged {index}")
    headers = bearer_for(admin, ["audit:read"])
    first = client.get("/api/v1/audit?object_type=account&action=create&limit=2", **headers).json()
    second = client.get(f"/api/v1/audit?object_type=account&action=create&limit=2&cursor={first['next_cursor']}",
                        **headers).json()
    names = [item["object"] for item in first["items"] + second["items"]]
    assert names == ["Logged 2", "Logged 1", "Logged 0"]
    assert second["next_cursor"] is None


def test_the_audit_api_shows_public_ids_never_internal_keys(admin, client):
    kept, removed = AccountFactory(name="Kept"), AccountFactory(name="Removed")
    _entry(admin, kept, name=["x", "Kept"])
    _entry(admin, removed, name=["y", "Removed"])
    removed.delete()
    items = client.get("/api/v1/audit?object_type=account", **bearer_for(admin, ["audit:read"])).json()["items"]
    assert {item["object"]: item["object_id"] for item in items} == {"Kept": kept.public_id, "Removed": None}


def test_the_audit_api_refuses_a_bad_date_with_problem_json(admin, client):
    response = client.get("/api/v1/audit?since=yesterday", **bearer_for(admin, ["audit:read"]))
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("application/problem+json")


def test_a_csm_reads_the_history_of_a_visible_account_but_not_the_whole_log(csm, am, client):
    account = account_services.account_create(actor=am, name="Shared history")
    assign(account, csm, "csm")
    hidden = AccountFactory(name="Hidden history")
    headers = bearer_for(csm, ["audit:read"])
    history = client.get(f"/api/v1/audit?object_type=account&object_id={account.public_id}", **headers)
    assert history.status_code == 200
    assert [(item["object_id"], item["action"]) for item in history.json()["items"]] == [
        (account.public_id, "create")]
    assert client.get(f"/api/v1/audit?object_type=account&object_id={hidden.public_id}", **headers).status_code == 404
    assert client.get("/api/v1/audit", **headers).status_code == 403
    assert client.get(f"/api/v1/audit?object_type=account&object_id={account.public_id}",
                      **bearer_for(csm, ["accounts:read"])).status_code == 403


def test_a_record_history_leaves_out_custom_values_for_those_without_the_whole_log(csm, admin, client):
    account = AccountFactory(name="Custom")
    assign(account, csm, "csm")
    _entry(admin, account, name=["a", "b"], **{"custom.discount": ["5", "9"]})
    url = f"/api/v1/audit?object_type=account&object_id={account.public_id}"
    assert client.get(url, **bearer_for(csm, ["audit:read"])).json()["items"][0]["changes"] == {"name": ["a", "b"]}
    assert client.get(url, **bearer_for(admin, ["audit:read"])).json()["items"][0]["changes"] == {
        "custom.discount": ["5", "9"], "name": ["a", "b"]}


def test_the_audit_export_is_itself_audited_and_neutralises_formulas(admin):
    account_services.account_create(actor=admin, name="=cmd|' /C calc'!A0")
    response = logged_in(admin).get("/audit/export.csv?object_type=account")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["at", "actor", "action", "object_type", "object_id", "object", "summary", "changes"]
    assert [row[5] for row in rows[1:]] == ["'=cmd|' /C calc'!A0"]
    export = AuditEntry.objects.get(action="export")
    assert (export.actor_id, export.summary) == (admin.pk, "Exported the audit log (1 entries) — object_type=account")


def test_exporting_the_log_needs_the_export_right(manager):
    page = logged_in(manager).get("/audit/").content.decode()
    assert "Export CSV" not in page
    assert logged_in(manager).get("/audit/export.csv").status_code == 404
    assert not AuditEntry.objects.filter(action="export").exists()


def test_the_log_keeps_its_entries_when_their_author_is_deleted(admin):
    """Actor and content type carry no database constraint (writes skip the check); deleting a user still sets
    their entries' actor to none through Django's on_delete, and the label keeps who it was."""
    from django.db import connection

    from tandem.core.testing.factories import UserFactory

    author = UserFactory(email="leaver@example.com")
    entry = _entry(author, AccountFactory(name="Kept"), name=["A", "B"])
    author.delete()
    entry.refresh_from_db()
    assert entry.actor_id is None and entry.actor_label == "leaver@example.com"
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, AuditEntry._meta.db_table)
    assert not [name for name, details in constraints.items() if details["foreign_key"]]


def test_creations_recorded_many_at_once_read_as_those_recorded_one_by_one(admin):
    from django.db import transaction

    from tandem.audit.services import audit_created, audit_created_many
    from tandem.contacts.models import Contact
    from tandem.contacts.services import EDITABLE_FIELDS

    account = account_services.account_create(actor=admin, name="Hanbit Soft")
    people = [Contact.objects.create(first_name=name, email=f"{name.lower()}@hanbit.example", account=account,
                                     phones=["+82 2 3000 0001"], custom={"tier": "gold"}) for name in ("Jiwoo", "Mina")]
    blank = Contact.objects.create(email="nobody@hanbit.example")  # no name: shown by its address
    with transaction.atomic():
        audit_created_many(actor=admin, objects=[*people, blank], fields=EDITABLE_FIELDS)
    one_by_one = [audit_created(actor=admin, obj=contact, fields=EDITABLE_FIELDS) for contact in [*people, blank]]
    many = AuditEntry.objects.filter(action=AuditAction.CREATE, content_type_id=one_by_one[0].content_type_id,
                                     object_id__in=[str(c.pk) for c in people + [blank]])
    many = many.exclude(pk__in=[entry.pk for entry in one_by_one]).order_by("id")

    def shape(entry):
        return (entry.actor_id, entry.actor_label, entry.action, entry.content_type_id, entry.object_id,
                entry.object_repr, entry.summary, entry.changes)

    assert [shape(entry) for entry in many] == [shape(entry) for entry in one_by_one]
    assert many[0].changes["account"] == [None, "Hanbit Soft"] and "title" not in many[0].changes
    assert many[2].object_repr == "nobody@hanbit.example"
    assert len({entry.at for entry in many}) == 1  # one statement, one time
