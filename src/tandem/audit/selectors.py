"""Reads of the audit log."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet

from tandem.audit.models import AuditEntry
from tandem.core.exceptions import ValidationFailed


def entries_for_object(*, actor: Any, obj: Model) -> QuerySet[AuditEntry]:
    """The history of one record. The caller has already checked that ``actor`` may view ``obj``."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
    ).select_related("actor")


@dataclass(frozen=True)
class AuditFilters:
    actor_email: str = ""
    object_type: str = ""
    object_id: str = ""
    action: str = ""
    text: str = ""
    since: str = ""
    until: str = ""


def entry_list(*, actor: Any, filters: AuditFilters) -> QuerySet[AuditEntry]:
    """The whole log, filtered. Callers check that ``actor`` may view the audit log (or the one record)."""
    entries = AuditEntry.objects.select_related("actor", "content_type")
    if filters.actor_email:
        entries = entries.filter(actor_label__iexact=filters.actor_email)
    if filters.object_type:
        entries = entries.filter(content_type__model=filters.object_type.lower())
    if filters.object_id:
        entries = entries.filter(object_id=filters.object_id)
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.text:
        entries = entries.filter(Q(object_repr__icontains=filters.text) | Q(summary__icontains=filters.text))
    for value, lookup in ((filters.since, "at__date__gte"), (filters.until, "at__date__lte")):
        if value:
            try:
                entries = entries.filter(**{lookup: datetime.date.fromisoformat(value)})
            except ValueError:
                raise ValidationFailed("Use dates like 2026-11-22.", errors={"date": ["Use YYYY-MM-DD."]}) from None
    return entries


def object_types() -> list[str]:
    return sorted(set(AuditEntry.objects.exclude(content_type=None).values_list("content_type__model", flat=True)))
