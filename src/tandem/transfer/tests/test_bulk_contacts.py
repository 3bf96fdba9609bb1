"""The contact import writes a chunk of rows at once: these check it keeps every rule of the one-row path."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from tandem.audit.models import AuditAction, AuditEntry
from tandem.contacts.models import Contact, ContactAccountChange
from tandem.contacts.selectors import contact_account_history
from tandem.core.testing.factories import AccountFactory
from tandem.transfer import services
from tandem.transfer.importers import FileContext, get_importer
from tandem.transfer.models import ImportMode
from tandem.transfer.tests.test_imports import dry_run_and_import, upload


def run(actor, text: str, mode: str = ImportMode.VALID_ROWS):
    job = services.import_job_create(actor=actor, kind="contacts", upload=upload(text, "contacts.csv"))
    dry_run_and_import(actor, job, mode)
    services.import_job_start(actor=actor, job=job)
    services.import_job_run(actor=actor, job=job)
    job.refresh_from_db()
    return job


def test_upsert_over_several_chunks_creates_updates_moves_and_audits_each_contact(admin, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_ROWS", 3)  # 7 rows: chunks of 3, 3, 1
    old = AccountFactory(name="Old Co", external_id="acc_old", country="DE")
    new = AccountFactory(name="New Co", external_id="acc_new", country="DE")
    moved = Contact.objects.create(first_name="Ida", last_name="Moved", email="Ida@Old.example", account=old)
    same = Contact.objects.create(first_name="Uwe", last_name="Same", email="uwe@new.example", account=new)
    rows = ["first_name,last_name,email,phones,account_external_id"]
    rows += [f"P{n},Person,p{n}@new.example,030 123456{n},acc_new" for n in range(4)]
    rows += ["Ida,Moved,ida@OLD.example,,acc_new",  # matches case-insensitively; moves to the new account
             "Uwe,Same,uwe@new.example,,acc_new",  # nothing changes
             "Bad,Row,not-an-email,,acc_new"]
    job = run(admin, "\n".join(rows) + "\n")
    assert (job.created_count, job.updated_count, job.error_rows) == (4, 1, 1)
    assert [(e.line, e.column) for e in job.row_errors.all()] == [(8, "email")]
    created = Contact.objects.filter(last_name="Person").order_by("first_name")
    assert [c.phones for c in created] == [[f"+4930123456{n}"] for n in range(4)]
    assert all(c.public_id and c.account_id == new.pk for c in created)
    moved.refresh_from_db()
    assert moved.account_id == new.pk
    history = ContactAccountChange.objects.filter(contact=moved).get()
    assert (history.from_account_id, history.to_account_id, history.changed_by_id) == (old.pk, new.pk, admin.pk)
    assert not ContactAccountChange.objects.filter(contact__in=created).exists()  # first accounts are no moves
    first = contact_account_history(actor=admin, contact=created[0])
    assert [(line.from_account, line.to_account, line.created) for line in first] == [(None, new, True)]
    kind = ContentType.objects.get_for_model(Contact)
    creates = AuditEntry.objects.filter(content_type=kind, action=AuditAction.CREATE, actor=admin)
    assert sorted(int(e.object_id) for e in creates) == sorted(c.pk for c in created)
    assert creates.first().changes["email"][1].endswith("@new.example")
    change = AuditEntry.objects.get(content_type=kind, action=AuditAction.CHANGE, object_id=str(moved.pk))
    assert change.changes["account"] == ["Old Co", "New Co"]
    assert not AuditEntry.objects.filter(content_type=kind, object_id=str(same.pk)).exists()


def test_all_or_nothing_rolls_back_earlier_chunks(admin, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_ROWS", 2)
    text = "first_name,email\nA,a@x.example\nB,b@x.example\nC,c@x.example\nD,broken\n"
    job = services.import_job_create(actor=admin, kind="contacts", upload=upload(text, "contacts.csv"))
    dry_run_and_import(admin, job, ImportMode.ALL_OR_NOTHING)
    job.status = "importing"  # run despite the dry run's complaint, as if the file had changed since
    job.save()
    services.import_job_run(actor=admin, job=job)
    job.refresh_from_db()
    assert job.status == "failed" and job.created_count == 0
    assert not Contact.objects.filter(email__endswith="@x.example").exists()


def test_a_contact_deleted_after_the_check_is_reported_and_the_rest_of_the_chunk_is_written(admin):
    """The chunk write fails as a whole, so the rows are retried one by one and only the culprit is reported."""
    gone = Contact.objects.create(first_name="Gone", email="gone@x.example")
    importer = get_importer("contacts")
    context = FileContext()
    from tandem.transfer.importers import MappedRow

    rows = [MappedRow(line=2, values={"email": "gone@x.example", "title": "CEO"}, columns={}),
            MappedRow(line=3, values={"email": "fresh@x.example"}, columns={})]
    importer.prefetch(admin, rows, context)
    ready = [(row, importer.prepare(admin, row, context)) for row in rows]
    assert all(not prepared.errors for _row, prepared in ready)
    gone.delete()
    counts, failed = services._write_chunk(importer, admin, ready, all_or_nothing=False)
    assert counts["created"] == 1 and Contact.objects.filter(email="fresh@x.example").exists()
    assert [(row.line, problems) for row, problems in failed] == [(2, [("", "This contact no longer exists.")])]


def test_a_csm_cannot_update_contacts_outside_their_scope_through_an_import(csm):
    outside = AccountFactory(name="Not Mine")
    Contact.objects.create(first_name="Theirs", email="theirs@x.example", account=outside)
    job = run(csm, "first_name,email\nChanged,theirs@x.example\n")
    assert job.updated_count == 0 and job.error_rows == 1
    assert Contact.objects.get(email="theirs@x.example").first_name == "Theirs"


@pytest.mark.parametrize("case", ["Lena@Example.COM", "lena@example.com"])
def test_email_matching_ignores_case(admin, case):
    Contact.objects.create(first_name="Lena", email="lena@example.com")
    job = run(admin, f"first_name,email\nLena B,{case}\n")
    assert (job.created_count, job.updated_count) == (0, 1)
    assert Contact.objects.get().first_name == "Lena B"


@pytest.fixture
def seeded(transactional_db):
    """Transactional tests flush the roles and policy the migrations seeded; restore them before users exist."""
    from tandem.core.testing.fixtures import reseed_if_flushed

    reseed_if_flushed()


@pytest.mark.django_db(transaction=True)
def test_a_large_import_on_postgresql_is_written_by_two_processes_with_the_same_outcome(seeded, admin, settings):
    """Rows sharing an upsert key go to the same process, so in-file duplicates are still caught and every row
    is written once, by child processes working on the committed data."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("imports are written in parallel on PostgreSQL only")
    settings.IMPORT_WORKERS, settings.IMPORT_PARALLEL_MIN_ROWS = 2, 10
    account = AccountFactory(name="Parallel Co", external_id="acc_par", country="DE")
    Contact.objects.create(first_name="Old", email="old@par.example", account=account)
    rows = ["first_name,email,account_external_id"]
    rows += [f"P{n},p{n}@par.example,acc_par" for n in range(60)]
    rows += ["Again,p7@par.example,acc_par",  # line 62: duplicate of line 9
             "New name,OLD@par.example,acc_par",  # line 63: updates the existing contact
             "Broken,not-an-email,acc_par"]  # line 64
    job = run(admin, "\n".join(rows) + "\n")
    assert job.status == "done"
    assert (job.processed_rows, job.created_count, job.updated_count, job.error_rows) == (63, 60, 1, 2)
    assert [(e.line, e.message) for e in job.row_errors.order_by("line")] == [
        (62, "Duplicate of line 9 in this file."), (64, "Not a valid email address: not-an-email")]
    assert Contact.objects.filter(email__endswith="@par.example").count() == 61
    assert Contact.objects.get(email__iexact="old@par.example").first_name == "New name"
    kind = ContentType.objects.get_for_model(Contact)
    assert AuditEntry.objects.filter(content_type=kind, action=AuditAction.CREATE, actor=admin).count() == 60


def test_accounts_looked_up_for_one_chunk_are_kept_for_the_next_within_a_bound(admin, monkeypatch):
    """A file refers to the same accounts again and again: a later chunk asks the database only for accounts it has
    not seen (found or not), and past KEPT_PER_LOOKUP keys the table starts afresh."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tandem.transfer import importers
    from tandem.transfer.importers import MappedRow

    for key in ("acc_a", "acc_b", "acc_c"):
        AccountFactory(name=key, external_id=key)
    importer = get_importer("contacts")
    context = FileContext()

    def chunk(*keys: str) -> list[MappedRow]:
        return [MappedRow(line=n, values={"email": f"{key}{n}@x.example", "account_external_id": key}, columns={})
                for n, key in enumerate(keys, start=2)]

    def account_queries(rows: list[MappedRow]) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            importer.prefetch(admin, rows, context)
        return [q["sql"] for q in queries.captured_queries if "accounts_account" in q["sql"]
                and "contacts_contact" not in q["sql"]]

    assert len(account_queries(chunk("acc_a", "acc_missing"))) == 1
    assert account_queries(chunk("acc_a", "acc_missing", "acc_a")) == []  # both known, the missing one too
    prepared = importer.prepare(admin, chunk("acc_missing")[0], context)
    assert prepared.errors == [("account_external_id", "Unknown account acc_missing.")]
    assert len(account_queries(chunk("acc_a", "acc_b"))) == 1
    assert sorted(context.kept["account_by_external_id"]) == ["acc_a", "acc_b", "acc_missing"]
    monkeypatch.setattr(importers, "KEPT_PER_LOOKUP", 3)
    account_queries(chunk("acc_c"))
    assert sorted(context.kept["account_by_external_id"]) == ["acc_c"]
    assert context.found["account_by_external_id"]["acc_c"].name == "acc_c"
