"""The customer-record flow in Chromium: a manager imports a file with deliberately bad rows, sees exactly those
rows reported, imports the rest, finds an account by a misspelled name, and merges two duplicates without
losing a file or a contact."""

from __future__ import annotations

import csv
import signal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from huey.contrib.djhuey import HUEY

from tandem.accounts.models import Account
from tandem.contacts import services as contact_services
from tandem.contacts.models import Contact
from tandem.files import services as file_services
from tandem.files.models import StoredFile

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def job_consumer():
    """A real Huey consumer (one worker thread) for the live server's background jobs."""
    HUEY.flush()
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = HUEY.create_consumer(workers=1, worker_type="thread", periodic=False, check_worker_health=False)
    consumer.start()  # scheduler and worker threads; the consumer's signal handlers are undone below
    for sig, handler in saved.items():
        signal.signal(sig, handler)
    yield consumer
    consumer.stop(graceful=True)
    HUEY.flush()


def login(page, live_server, email, password):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_a_manager_imports_the_10000_row_sample_and_gets_exactly_its_50_bad_rows_reported(
        page, live_server, manager, password, job_consumer, tmp_path, shot):
    import sys
    sys.path.insert(0, "benchmarks")
    from make_sample import HEADERS, rows

    table, bad_lines = rows(10_000, 50, seed=5)  # what `make_sample.py --rows 10000 --bad 50` writes
    sample = tmp_path / "accounts-10000.csv"
    with sample.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(table)
    login(page, live_server, manager.email, password)
    page.goto(f"{live_server.url}/transfer/import/?kind=accounts")
    page.set_input_files("#id_file", str(sample))
    page.click("button:has-text('Upload and map columns')")
    page.wait_for_url("**/transfer/import/*/")
    assert page.input_value("#map-0") == "name" and page.input_value("#map-3") == "country"
    page.click("text=Check every row")
    page.wait_for_selector("text=Rows with problems", timeout=120_000)
    shot(page, "import-checked")
    cells = [row.locator("td").all_inner_texts() for row in page.locator("table tbody tr").all()]
    assert len(bad_lines) == 50 and {int(line) for line, _column, _reason in cells} == set(bad_lines)
    assert all(reason.strip() for _line, _column, reason in cells)  # each with its reason
    with page.expect_download() as download:
        page.click("text=Download all as CSV")
    with open(download.value.path(), encoding="utf-8-sig") as handle:
        report = list(csv.reader(handle))
    assert {int(line[0]) for line in report[1:]} == set(bad_lines)
    page.click("button:has-text('Import 9')")  # "Import 9,950 rows" (or 9950, by the language's number format)
    page.wait_for_selector("text=Importing")  # the progress view, polled until the background job is done
    # Accounts are written one by one (~100-200 a second, less on a busy CI machine): minutes, not seconds.
    page.wait_for_selector("dt:has-text('Created')", timeout=600_000)
    assert Account.objects.count() == 9_950


def test_a_manager_finds_a_misspelled_account_and_merges_duplicates_keeping_files_and_contacts(
        page, live_server, manager, password, shot):
    kept = Account.objects.create(name="Hanbit Soft", domain="hanbit.example", owner=manager)
    duplicate = Account.objects.create(name="Hanbit Software Co", domain="hanbit-software.example", owner=manager)
    contact_services.contact_create(actor=manager, account=duplicate, first_name="Ji-woo", last_name="Park")
    file_services.file_upload(actor=manager, account=duplicate,
                              upload=SimpleUploadedFile("contract.pdf", b"%PDF-1.7 contract"))
    login(page, live_server, manager.email, password)
    page.fill("#global-search-input", "hanbti sotf")
    page.wait_for_selector(".search-dropdown a")
    assert "Hanbit Soft" in page.inner_text("#global-search-results")
    page.click(".search-dropdown a >> text=Hanbit Soft")
    page.wait_for_url(f"{live_server.url}/accounts/{kept.public_id}/")
    page.click("text=Merge duplicate")
    page.fill("#duplicate", duplicate.public_id)
    page.click("button:has-text('Compare')")
    page.check("input[name=take-domain][value=kept]")
    shot(page, "merge-compare")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Merge and remove the duplicate')")
    page.wait_for_url(f"{live_server.url}/accounts/{kept.public_id}/")
    body = page.inner_text("main")
    assert "Ji-woo Park" in body and "contract.pdf" in body and "Hanbit Software Co" in body
    assert not Account.objects.filter(pk=duplicate.pk).exists()
    assert Contact.objects.get(last_name="Park").account_id == kept.pk
    assert StoredFile.objects.get(name="contract.pdf").account_id == kept.pk
    shot(page, "merged")
