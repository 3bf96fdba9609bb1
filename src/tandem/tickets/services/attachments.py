"""Attachments on tickets and messages: every upload checked like any file before anything is written."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext as _

from tandem.audit.models import AuditAction
from tandem.audit.services import audit_record
from tandem.core.exceptions import ValidationFailed
from tandem.files.logic import content_matches, safe_file_name, suffix_of
from tandem.tickets.models import Ticket, TicketAttachment, TicketMessage
from tandem.tickets.services.common import MAX_ATTACHMENTS, _authorise_change, _fail, _user


@dataclass(frozen=True)
class _CheckedUpload:
    upload: Any
    name: str
    suffix: str
    size: int
    sha256: str


def _check_uploads(uploads: Sequence[Any]) -> list[_CheckedUpload]:
    """Every upload checked like any file (files.logic: allowed type, size limit, content matching the
    extension) before anything is written; one error per refused file, naming it."""
    if len(uploads) > MAX_ATTACHMENTS:
        raise _fail("attachments", _("At most %(limit)d files at once.") % {"limit": MAX_ATTACHMENTS})
    checked, errors = [], []
    for upload in uploads:
        name = safe_file_name(getattr(upload, "name", "") or "file")
        suffix = suffix_of(name)
        size = getattr(upload, "size", 0) or 0
        if suffix not in settings.FILE_ALLOWED_SUFFIXES:
            errors.append(_("%(name)s: files of type %(suffix)s are not allowed.") % {"name": name,
                                                                                     "suffix": suffix or "—"})
            continue
        if size > settings.FILE_MAX_BYTES:
            errors.append(_("%(name)s is larger than %(limit)s MB.") % {"name": name,
                                                                         "limit": settings.FILE_MAX_BYTES // 2**20})
            continue
        if size == 0:
            errors.append(_("%(name)s is empty.") % {"name": name})
            continue
        upload.seek(0)
        if not content_matches(suffix, upload.read(16)):
            errors.append(_("%(name)s: the content does not match the extension.") % {"name": name})
            continue
        upload.seek(0)
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        checked.append(_CheckedUpload(upload=upload, name=name, suffix=suffix, size=size, sha256=digest.hexdigest()))
    if errors:
        raise ValidationFailed(_("Nothing was saved: %(reasons)s") % {"reasons": " ".join(errors)},
                               errors={"attachments": errors})
    return checked


def _store_attachments(actor: Any, ticket: Ticket, message: TicketMessage | None,
                       checked: list[_CheckedUpload]) -> list[TicketAttachment]:
    stored = []
    for item in checked:
        attachment = TicketAttachment(ticket=ticket, message=message, name=item.name, size=item.size,
                                      sha256=item.sha256, uploaded_by=_user(actor),
                                      content_type=mimetypes.guess_type(item.name)[0] or "application/octet-stream")
        attachment.blob.save(f"{attachment.public_id}{item.suffix}", File(item.upload), save=False)
        try:
            attachment.save()
        except Exception:
            attachment.blob.delete(save=False)
            raise
        stored.append(attachment)
    return stored


def ticket_attach(*, actor: Any, ticket: Ticket, uploads: Sequence[Any]) -> list[TicketAttachment]:
    _authorise_change(actor, ticket)
    checked = _check_uploads(uploads)
    if not checked:
        raise _fail("attachments", _("Choose at least one file."))
    with transaction.atomic():
        stored = _store_attachments(actor, ticket, None, checked)
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=ticket, summary="Attachments added",
                     changes={"attachments": [None, [item.name for item in stored]]})
    return stored
