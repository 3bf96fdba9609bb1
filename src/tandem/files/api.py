"""Files API: list and upload per account, download and delete per file."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.urls import reverse
from ninja import File, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from tandem.accounts import selectors as account_selectors
from tandem.api.auth import api_actor
from tandem.files import selectors, services
from tandem.files.models import StoredFile
from tandem.files.schemas import FileOut
from tandem.identity.requests import AuthedRequest

router = Router(tags=["files"])


def _out(stored: StoredFile) -> dict[str, Any]:
    return {"id": stored.public_id, "account": stored.account.public_id, "name": stored.name,
            "content_type": stored.content_type, "size": stored.size, "sha256": stored.sha256,
            "uploaded_by": stored.uploaded_by.email if stored.uploaded_by else None, "created_at": stored.created_at,
            "download_url": reverse("api:files_file_download", kwargs={"file_id": stored.public_id})}


@router.get("/accounts/{account_id}/files", response=list[FileOut], operation_id="files_file_list")
def file_list(request: AuthedRequest, account_id: str) -> list[dict[str, Any]]:
    actor = api_actor(request, scope="accounts:read")
    account = account_selectors.account_get(actor=actor, public_id=account_id)
    return [_out(stored) for stored in selectors.file_list(actor=actor, account=account)]


@router.post("/accounts/{account_id}/files", response={201: FileOut}, operation_id="files_file_upload")
def file_upload(request: AuthedRequest, account_id: str, file: UploadedFile = File(...)) -> Status:
    actor = api_actor(request, scope="accounts:write")
    account = account_selectors.account_get(actor=actor, public_id=account_id)
    return Status(201, _out(services.file_upload(actor=actor, account=account, upload=file)))


@router.get("/files/{file_id}", operation_id="files_file_download", url_name="files_file_download")
def file_download(request: AuthedRequest, file_id: str) -> FileResponse:
    actor = api_actor(request, scope="accounts:read")
    stored = selectors.file_get(actor=actor, public_id=file_id)
    response = FileResponse(stored.blob.open("rb"), as_attachment=True, filename=stored.name,
                            content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.delete("/files/{file_id}", response={204: None}, operation_id="files_file_delete")
def file_delete(request: AuthedRequest, file_id: str) -> Status:
    actor = api_actor(request, scope="accounts:write")
    services.file_delete(actor=actor, stored=selectors.file_get(actor=actor, public_id=file_id))
    return Status(204, None)
