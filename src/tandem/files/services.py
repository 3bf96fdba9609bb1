"""Uploading and deleting files: the access module decides; names are sanitised; size and type are checked."""

from __future__ import annotations

import hashlib
import mimetypes
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext as _

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts.models import Account
from tandem.audit.services import audit_created, audit_deleted
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.files.logic import content_matches, safe_file_name, suffix_of
from tandem.files.models import StoredFile

AUDITED = ("name", "account", "content_type", "size", "sha256")


def file_upload(*, actor: Any, account: Account, upload: Any) -> StoredFile:
    if not can(actor, Action.CREATE, resource="file") or not can(actor, Action.CHANGE, account):
        raise PermissionDenied(_("You may not add files to this account."))
    name = safe_file_name(getattr(upload, "name", "") or "file")
    suffix = suffix_of(name)
    allowed = settings.FILE_ALLOWED_SUFFIXES
    if suffix not in allowed:
        message = _("Files of type %(suffix)s are not allowed. Allowed: %(allowed)s") % {
            "suffix": suffix or _("(none)"), "allowed": " ".join(sorted(allowed))}
        raise ValidationFailed(message, errors={"file": [message]})
    size = upload.size or 0
    if size > settings.FILE_MAX_BYTES:
        message = _("The file is %(size)s MB; the limit is %(limit)s MB.") % {
            "size": round(size / 2**20, 1), "limit": settings.FILE_MAX_BYTES // 2**20}
        raise ValidationFailed(message, errors={"file": [message]})
    if size == 0:
        raise ValidationFailed(_("The file is empty."), errors={"file": [_("The file is empty.")]})
    upload.seek(0)
    head = upload.read(16)
    if not content_matches(suffix, head):
        message = _("The file's content does not match its extension %(suffix)s.") % {"suffix": suffix}
        raise ValidationFailed(message, errors={"file": [message]})
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    stored = StoredFile(account=account, name=name, size=size, sha256=digest.hexdigest(),
                        content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
                        uploaded_by=None if getattr(actor, "is_system", False) else actor)
    with transaction.atomic():
        stored.blob.save(f"{stored.public_id}{suffix}", File(upload), save=False)
        try:
            stored.save()
            audit_created(actor=actor, obj=stored, fields=AUDITED, summary=_("File added to %(account)s")
                          % {"account": account.name})
        except Exception:
            stored.blob.delete(save=False)  # no orphan blob when the row was not written
            raise
    return stored


def file_delete(*, actor: Any, stored: StoredFile) -> None:
    if not can(actor, Action.DELETE, stored):
        raise PermissionDenied(_("You may not delete this file."))
    blob_name = str(stored.blob.name)
    storage = stored.blob.storage
    with transaction.atomic():
        audit_deleted(actor=actor, obj=stored, fields=AUDITED)
        stored.delete()
        transaction.on_commit(lambda: storage.delete(blob_name))
