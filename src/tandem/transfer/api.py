"""Imports API: upload a file (the dry run starts at once), poll its status, read the row errors, run it."""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse
from ninja import File, Form, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from tandem.api.auth import api_actor
from tandem.core.exceptions import ValidationFailed
from tandem.identity.requests import AuthedRequest
from tandem.transfer import selectors, services
from tandem.transfer.models import ImportJob, ImportMode
from tandem.transfer.schemas import ImportJobOut, ImportRowErrorOut

router = Router(tags=["imports"])
SCOPES = {"accounts": "accounts:write", "account_team": "accounts:write", "contacts": "contacts:write"}


def _out(job: ImportJob) -> dict[str, Any]:
    return {**{name: getattr(job, name) for name in (
        "kind", "file_name", "status", "mode", "encoding", "delimiter", "headers", "mapping", "total_rows",
        "processed_rows", "valid_rows", "error_rows", "created_count", "updated_count", "message", "created_at",
        "finished_at")}, "id": job.public_id,
        "errors_url": reverse("api:transfer_import_errors", kwargs={"import_id": job.public_id})}


@router.post("", response={202: ImportJobOut}, operation_id="transfer_import_create")
def import_create(request: AuthedRequest, kind: Form[str], file: UploadedFile = File(...),
                  mode: Form[str] = ImportMode.VALID_ROWS, mapping: Form[str] = "", encoding: Form[str] = "",
                  delimiter: Form[str] = "") -> Status:
    """Upload a CSV/XLSX file for ``kind`` (accounts, contacts, account_team). The column mapping is guessed
    unless ``mapping`` (JSON: {"Column": "field"}) is given; the dry run starts in the background."""
    actor = api_actor(request, scope=SCOPES.get(kind, "accounts:write"))
    job = services.import_job_create(actor=actor, kind=kind, upload=file, encoding=encoding, delimiter=delimiter)
    chosen = job.mapping
    if mapping:
        try:
            chosen = json.loads(mapping)
        except json.JSONDecodeError:
            raise ValidationFailed("mapping is not JSON.", errors={"mapping": ["Not valid JSON."]}) from None
        if not isinstance(chosen, dict):
            raise ValidationFailed("mapping must be an object.", errors={"mapping": ["Use {\"Column\": \"field\"}."]})
    services.import_job_configure(actor=actor, job=job, mapping=chosen, mode=mode, remember=False)
    return Status(202, _out(job))


@router.get("/{import_id}", response=ImportJobOut, operation_id="transfer_import_get")
def import_get(request: AuthedRequest, import_id: str) -> dict[str, Any]:
    actor = api_actor(request, scope="accounts:read")
    return _out(selectors.import_job_get(actor=actor, public_id=import_id))


@router.get("/{import_id}/errors", response=list[ImportRowErrorOut], operation_id="transfer_import_errors",
            url_name="transfer_import_errors")
def import_errors(request: AuthedRequest, import_id: str) -> list[dict[str, Any]]:
    actor = api_actor(request, scope="accounts:read")
    job = selectors.import_job_get(actor=actor, public_id=import_id)
    return [{"line": e.line, "column": e.column, "message": e.message} for e in job.row_errors.all()]


@router.post("/{import_id}/run", response={202: ImportJobOut}, operation_id="transfer_import_run")
def import_run(request: AuthedRequest, import_id: str) -> Status:
    """After the dry run finished (status "validated"): write the rows in the background."""
    job = selectors.import_job_get(actor=request.user, public_id=import_id)
    actor = api_actor(request, scope=SCOPES.get(job.kind, "accounts:write"))
    return Status(202, _out(services.import_job_start(actor=actor, job=job)))
