"""Reads of the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from tandem.audit.models import AuditEntry


def entries_for_object(*, actor: Any, obj: Model) -> QuerySet[AuditEntry]:
    """The history of one record. The caller has already checked that ``actor`` may view ``obj``."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
    ).select_related("actor")
