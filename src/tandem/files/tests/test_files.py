from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tandem.accounts import merge
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.core.testing.factories import AccountFactory, assign
from tandem.core.testing.fixtures import bearer_for, logged_in
from tandem.files import services
from tandem.files.logic import safe_file_name
from tandem.files.models import StoredFile

PDF = b"%PDF-1.7\n% a tiny pdf\n"


def pdf(name="Vertrag 2027.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.mark.parametrize(("raw", "safe"), [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\eve\\report.PDF", "report.pdf"),
    ("  .hidden ", "hidden"),
    ("a;rm -rf $(x).pdf", "a_rm -rf _(x).pdf"),
    ("", "file"),
    ("合同.pdf", "合同.pdf"),
])
def test_file_names_are_sanitised(raw, safe):
    assert safe_file_name(raw) == safe


def test_an_am_uploads_and_downloads_a_file_as_an_attachment(am):
    account = AccountFactory(owner=am)
    stored = services.file_upload(actor=am, account=account, upload=pdf())
    response = logged_in(am).get(f"/files/{stored.public_id}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF
    assert "Vertrag 2027.pdf" in logged_in(am).get(f"/accounts/{account.public_id}/").content.decode()


def test_forbidden_types_disguised_content_and_oversized_files_are_refused(am, settings):
    account = AccountFactory(owner=am)
    with pytest.raises(ValidationFailed, match="not allowed"):
        services.file_upload(actor=am, account=account, upload=SimpleUploadedFile("run.exe", b"MZ..."))
    with pytest.raises(ValidationFailed, match="does not match"):
        services.file_upload(actor=am, account=account, upload=SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00"))
    settings.FILE_MAX_BYTES = 5
    with pytest.raises(ValidationFailed, match="limit"):
        services.file_upload(actor=am, account=account, upload=pdf())
    assert not StoredFile.objects.exists()


def test_files_are_invisible_outside_the_account_scope(csm, am):
    account = AccountFactory(owner=am)
    stored = services.file_upload(actor=am, account=account, upload=pdf())
    assert logged_in(csm).get(f"/files/{stored.public_id}/download/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.file_upload(actor=csm, account=account, upload=pdf())
    assign(account, csm, "csm")
    assert logged_in(csm).get(f"/files/{stored.public_id}/download/").status_code == 200


def test_the_api_uploads_lists_and_deletes(am, client):
    account = AccountFactory(owner=am)
    headers = bearer_for(am, ["accounts:read", "accounts:write"])
    created = client.post(f"/api/v1/accounts/{account.public_id}/files", {"file": pdf("q3.pdf")}, **headers)
    assert created.status_code == 201, created.content
    listed = client.get(f"/api/v1/accounts/{account.public_id}/files", **headers).json()
    assert [item["name"] for item in listed] == ["q3.pdf"]
    assert client.delete(f"/api/v1/files/{created.json()['id']}", **headers).status_code == 204
    assert not StoredFile.objects.exists()


def test_merging_accounts_keeps_the_files(admin):
    kept, removed = AccountFactory(), AccountFactory()
    stored = services.file_upload(actor=admin, account=removed, upload=pdf())
    merge.account_merge(actor=admin, kept=kept, removed=removed)
    stored.refresh_from_db()
    assert stored.account == kept


def test_the_upload_form_accepts_several_files(am):
    account = AccountFactory(owner=am)
    logged_in(am).post(f"/files/upload/{account.public_id}/", {"file": [pdf("a.pdf"), pdf("b.pdf")]})
    assert sorted(StoredFile.objects.values_list("name", flat=True)) == ["a.pdf", "b.pdf"]
