from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from huey.contrib.djhuey import HUEY

from tandem.accounts.models import Account
from tandem.audit.models import AuditEntry
from tandem.contacts.models import Contact
from tandem.core.exceptions import ValidationFailed
from tandem.core.testing.factories import AccountFactory
from tandem.core.testing.fixtures import logged_in
from tandem.transfer import services
from tandem.transfer.models import ImportJob, ImportMode, ImportStatus


def upload(text: str, name: str = "accounts.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def dry_run_and_import(actor, job: ImportJob, mode: str = ImportMode.VALID_ROWS) -> ImportJob:
    job.mapping = job.mapping  # keep the guessed mapping
    services.import_job_configure(actor=actor, job=job, mapping=job.mapping, mode=mode)
    services.import_job_validate(actor=actor, job=job)
    return job


ACCOUNTS_CSV = """Company;External ID;Website;Country;Tier;Stage;Owner
Hanbit Soft;cus_1;hanbit.example;KR;High-touch;Onboarding;mona@example.test
Müller Logistik;cus_2;mueller.example;DE;mid_touch;adopting;
Bad Country;cus_3;bad.example;Germany;tech_touch;trial;
;cus_4;noname.example;US;tech_touch;trial;
Unknown Owner;cus_5;owner.example;US;tech_touch;trial;nobody@example.test
Hanbit Twin;cus_1;twin.example;KR;tech_touch;trial;
"""


def test_a_dry_run_reports_every_bad_row_with_line_and_column_and_writes_nothing(manager):
    job = services.import_job_create(actor=manager, kind="accounts", upload=upload(ACCOUNTS_CSV))
    assert job.delimiter == ";"
    assert job.mapping == {"Company": "name", "External ID": "external_id", "Website": "domain", "Country": "country",
                           "Tier": "tier", "Stage": "lifecycle_stage", "Owner": "owner_email"}
    dry_run_and_import(manager, job)
    job.refresh_from_db()
    assert (job.status, job.valid_rows, job.error_rows) == (ImportStatus.VALIDATED, 2, 4)
    problems = sorted({(e.line, e.column) for e in job.row_errors.all()})
    assert problems == [(4, "Country"), (5, "Company"), (6, "Owner"), (7, "External ID")]
    assert "Duplicate of line 2" in job.row_errors.get(line=7).message
    assert not Account.objects.exists()


def test_importing_valid_rows_creates_them_and_reports_the_rest(manager):
    job = services.import_job_create(actor=manager, kind="accounts", upload=upload(ACCOUNTS_CSV))
    dry_run_and_import(manager, job)
    services.import_job_start(actor=manager, job=job)
    services.import_job_run(actor=manager, job=job)
    job.refresh_from_db()
    assert (job.status, job.created_count, job.error_rows) == (ImportStatus.DONE, 2, 4)
    hanbit = Account.objects.get(external_id="cus_1")
    assert (hanbit.tier, hanbit.owner.email, hanbit.country) == ("high_touch", "mona@example.test", "KR")
    assert AuditEntry.objects.filter(object_id=str(hanbit.pk), action="create").exists()


def test_all_or_nothing_refuses_a_file_with_bad_rows(manager):
    job = services.import_job_create(actor=manager, kind="accounts", upload=upload(ACCOUNTS_CSV))
    dry_run_and_import(manager, job, mode=ImportMode.ALL_OR_NOTHING)
    with pytest.raises(ValidationFailed):
        services.import_job_start(actor=manager, job=job)
    assert not Account.objects.exists()


def test_reimporting_updates_by_external_id_instead_of_duplicating(manager):
    AccountFactory(name="Old Name", external_id="cus_9", owner=manager)
    job = services.import_job_create(actor=manager, kind="accounts",
                                     upload=upload("name,external_id\nNew Name,cus_9\n"))
    dry_run_and_import(manager, job)
    services.import_job_start(actor=manager, job=job)
    services.import_job_run(actor=manager, job=job)
    job.refresh_from_db()
    assert (job.created_count, job.updated_count) == (0, 1)
    assert Account.objects.get(external_id="cus_9").name == "New Name"


def test_contacts_import_matches_accounts_and_normalises_phones(admin):
    AccountFactory(name="Berlin Analytics", external_id="acc_b", country="DE")
    text = "Vorname,Nachname,E-Mail,Telefon,Account external id\nLena,Vogel,lena@b.example,030 1234567,acc_b\n" \
           "Max,Bad,not-an-email,,acc_b\nJan,Nowhere,jan@x.example,,acc_missing\n"
    job = services.import_job_create(actor=admin, kind="contacts", upload=upload(text, "contacts.csv"))
    dry_run_and_import(admin, job)
    services.import_job_start(actor=admin, job=job)
    services.import_job_run(actor=admin, job=job)
    job.refresh_from_db()
    assert (job.created_count, job.error_rows) == (1, 2)
    assert [(e.line, e.column) for e in job.row_errors.all()] == [(3, "E-Mail"), (4, "Account external id")]
    assert Contact.objects.get(last_name="Vogel").phones == ["+49301234567"]


def test_a_forbidden_file_type_and_an_oversized_file_are_refused(manager, settings):
    with pytest.raises(ValidationFailed, match="CSV and XLSX"):
        services.import_job_create(actor=manager, kind="accounts", upload=upload("x", "evil.exe"))
    settings.IMPORT_MAX_BYTES = 10
    with pytest.raises(ValidationFailed, match="limit"):
        services.import_job_create(actor=manager, kind="accounts", upload=upload("name\n" + "A\n" * 20))


def test_the_mapping_is_remembered_for_the_next_file(manager):
    job = services.import_job_create(actor=manager, kind="accounts", upload=upload("Firm,Ref\nA,r1\n"))
    services.import_job_configure(actor=manager, job=job, mapping={"Firm": "name", "Ref": "external_id"},
                                  mode=ImportMode.VALID_ROWS)
    again = services.import_job_create(actor=manager, kind="accounts", upload=upload("Firm,Ref\nB,r2\n"))
    assert again.mapping == {"Firm": "name", "Ref": "external_id"}


def test_the_whole_flow_runs_through_the_real_job_queue_and_the_pages(manager, django_capture_on_commit_callbacks):
    HUEY.flush()
    client = logged_in(manager)
    response = client.post("/transfer/import/", {"kind": "accounts", "file": upload(ACCOUNTS_CSV)})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    form = {f"map-{index}": job.mapping.get(header, "") for index, header in enumerate(job.headers)}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/transfer/import/{job.public_id}/", {**form, "mode": "valid_rows"})
    HUEY.execute(HUEY.dequeue())  # a consumer runs the dry run
    page = client.get(f"/transfer/import/{job.public_id}/").content.decode()
    assert "Import 2 rows" in page and "Germany" not in page  # reasons shown, values are not echoed raw
    report = client.get(f"/transfer/import/{job.public_id}/errors.csv").content.decode()
    assert sorted({row[0] for row in csv.reader(io.StringIO(report))} - {"line"}) == ["4", "5", "6", "7"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/transfer/import/{job.public_id}/run/")
    HUEY.execute(HUEY.dequeue())
    assert Account.objects.count() == 2
    HUEY.flush()


def test_exports_neutralise_formulas_and_respect_scope(csm, am):
    AccountFactory(name="=HYPERLINK(evil)", owner=csm)
    AccountFactory(name="Not yours", owner=am)
    body = b"".join(logged_in(csm).get("/transfer/export/accounts.csv").streaming_content).decode()
    assert "'=HYPERLINK(evil)" in body and "Not yours" not in body
    xlsx = logged_in(csm).get("/transfer/export/accounts.xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Disposition"].startswith("attachment")


def test_seen_keys_remember_every_line_through_growth_in_twelve_bytes_a_slot():
    from tandem.transfer.importers import SeenKeys

    seen = SeenKeys(capacity=6)  # rounded up to a power of two
    for number in range(50_000):
        seen[f"email:p{number}@x.example"] = number + 2
    seen["email:p7@x.example"] = 99  # setting a known key again changes its line, not the count
    assert len(seen) == 50_000
    assert all(seen[f"email:p{number}@x.example"] == number + 2 for number in range(8, 50_000, 997))
    assert seen["email:p7@x.example"] == 99
    assert "email:p50000@x.example" not in seen and "external_id:p1" not in seen
    with pytest.raises(KeyError):
        seen["email:nobody@x.example"]
    slots = len(seen._hashes)
    assert slots & (slots - 1) == 0 and 2 * 50_000 <= slots <= 4 * 50_000  # at most half full, doubled from 8
    assert seen._hashes.itemsize * slots + seen._lines.itemsize * slots <= 12 * slots


def test_row_by_row_imports_report_progress_in_small_steps_and_bulk_ones_in_large(manager, monkeypatch):
    """Accounts are written one by one (~100 a second on SQLite): their progress moves every few hundred rows,
    not every CHUNK_ROWS, which suits the contact importer's bulk writes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(services, "ROW_BY_ROW_CHUNK_ROWS", 2)
    job = services.import_job_create(actor=manager, kind="accounts", upload=upload(ACCOUNTS_CSV))
    dry_run_and_import(manager, job)
    services.import_job_start(actor=manager, job=job)
    with CaptureQueriesContext(connection) as queries:
        services.import_job_run(actor=manager, job=job)
    progress = [q["sql"] for q in queries.captured_queries
                if q["sql"].startswith('UPDATE "transfer_importjob" SET "processed_rows"')]
    assert len(progress) == 3  # 6 rows in steps of 2
    assert services._chunk_rows(services.get_importer("contacts")) == services.CHUNK_ROWS > 2
