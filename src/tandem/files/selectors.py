"""Reads of files, scoped through their account."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tandem.access.decide import restrict
from tandem.accounts.models import Account
from tandem.core.exceptions import NotFound
from tandem.files.models import StoredFile


def file_list(*, actor: Any, account: Account | None = None) -> QuerySet[StoredFile]:
    files = restrict(StoredFile.objects.select_related("uploaded_by", "account"), actor)
    return files.filter(account=account) if account is not None else files


def file_get(*, actor: Any, public_id: str) -> StoredFile:
    stored = file_list(actor=actor).filter(public_id=public_id).first()
    if stored is None:
        raise NotFound("No such file.")
    return stored
