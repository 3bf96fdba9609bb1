"""The short "log a call, note or email" form takes attachments: stored as files of the account through the
files app's checks and attached to the activity — all or nothing for one submission."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tandem.audit.models import AuditEntry
from tandem.core.testing.factories import AccountFactory, assign
from tandem.core.testing.fixtures import logged_in
from tandem.files.models import StoredFile
from tandem.timeline.models import Activity

PDF = b"%PDF-1.7\n% minutes\n"


@pytest.fixture
def account(csm):
    account = AccountFactory(name="Contoso")
    assign(account, csm, "csm")
    return account


@pytest.fixture
def storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


def _blobs(root) -> list[str]:
    return sorted(path.name for path in root.rglob("*") if path.is_file())


def _log(client, account, files):
    return client.post(f"/timeline/accounts/{account.public_id}/log/", {
        "type": "call", "direction": "outbound", "occurred_at": "", "subject": "Renewal call",
        "body": "Minutes attached", "attachments": files})


def test_the_account_page_offers_a_multiple_file_input_in_the_log_form(csm, account):
    html = logged_in(csm).get(f"/accounts/{account.public_id}/").content.decode()
    form = html[html.index('id="activity-log-form"') - 200:]
    form = form[:form.index("</form>")]
    assert 'enctype="multipart/form-data"' in form
    assert 'type="file" name="attachments"' in form and "multiple" in form


def test_a_csm_logs_a_call_with_two_attachments(csm, account, storage):
    response = _log(logged_in(csm), account, [SimpleUploadedFile("minutes.pdf", PDF, "application/pdf"),
                                               SimpleUploadedFile("notes.txt", b"Seats: 40", "text/plain")])
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = Activity.objects.get()
    assert sorted(stored.name for stored in activity.attachments.all()) == ["minutes.pdf", "notes.txt"]
    assert {stored.account for stored in StoredFile.objects.all()} == {account}
    assert len(_blobs(storage)) == 2
    html = logged_in(csm).get(f"/accounts/{account.public_id}/").content.decode()
    assert "minutes.pdf" in html and "notes.txt" in html


@pytest.mark.parametrize("refused, reason", [
    (SimpleUploadedFile("setup.exe", b"MZ\x90\x00binary", "application/octet-stream"), "are not allowed"),
    (SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00not a pdf", "application/pdf"), "does not match"),
    (SimpleUploadedFile("empty.txt", b"", "text/plain"), "empty"),
])
def test_a_refused_file_is_a_form_error_and_nothing_is_saved(csm, account, storage, refused, reason):
    audits = AuditEntry.objects.count()
    response = _log(logged_in(csm), account, [SimpleUploadedFile("minutes.pdf", PDF, "application/pdf"), refused])
    assert response.status_code == 422
    html = response.content.decode()
    assert refused.name in html and reason in html and 'id="id_attachments_error"' in html
    assert not Activity.objects.exists() and not StoredFile.objects.exists()
    assert _blobs(storage) == [] and AuditEntry.objects.count() == audits


def test_a_file_over_the_size_limit_is_refused_with_the_limit(csm, account, storage, settings):
    settings.FILE_MAX_BYTES = 2**20
    response = _log(logged_in(csm), account, [SimpleUploadedFile("big.pdf", PDF + b"x" * 2**20, "application/pdf")])
    assert response.status_code == 422 and "the limit is 1 MB" in response.content.decode()
    assert not Activity.objects.exists() and _blobs(storage) == []


def test_logging_without_files_still_works(csm, account):
    assert _log(logged_in(csm), account, []).status_code == 302
    assert list(Activity.objects.get().attachments.all()) == []
