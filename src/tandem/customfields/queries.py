"""Filtering and sorting querysets by custom-field values (JSON keys), the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import FloatField, Q, QuerySet, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext as _

from tandem.core.exceptions import ValidationFailed
from tandem.customfields.choices import FieldType
from tandem.customfields.models import CustomField
from tandem.customfields.selectors import readable_fields

SORT_KEY = "sort_value"


def _definitions(resource: str) -> dict[str, CustomField]:
    return {field.key: field for field in CustomField.objects.filter(resource=resource)}


def apply_custom_filters(queryset: QuerySet, *, resource: str, filters: Sequence[tuple[str, str]],
                         readable: set[str]) -> QuerySet:
    """``filters`` are (key, value) pairs; text-like fields match by substring, others exactly."""
    if not filters:
        return queryset
    definitions = _definitions(resource)
    for key, value in filters:
        field = definitions.get(key)
        if field is None or key not in readable:
            raise ValidationFailed(_("Unknown custom field."), errors={f"custom.{key}": [_("Unknown custom field.")]})
        if field.field_type in (FieldType.TEXT, FieldType.LONG_TEXT, FieldType.USER, FieldType.MULTI_CHOICE,
                                FieldType.MONEY):
            queryset = queryset.filter(**{f"custom__{key}__icontains": value})
        elif field.field_type == FieldType.BOOLEAN:
            queryset = queryset.filter(**{f"custom__{key}": value.strip().lower() in ("1", "true", "yes")})
        elif field.field_type == FieldType.NUMBER:
            try:
                queryset = queryset.filter(**{f"custom__{key}": float(value)})
            except ValueError:
                raise ValidationFailed(_("Enter a number."), errors={f"custom.{key}": [_("Enter a number.")]}) from None
        else:
            queryset = queryset.filter(Q(**{f"custom__{key}": value}))
    return queryset


def annotate_custom_sort(queryset: QuerySet, *, resource: str, key: str, readable: set[str]) -> QuerySet:
    """Adds ``sort_value`` for keyset pagination by a custom field (missing values sort first)."""
    field = _definitions(resource).get(key)
    if field is None or key not in readable:
        raise ValidationFailed(_("Unknown custom field."), errors={"sort": [_("Unknown custom field.")]})
    text: Any = KeyTextTransform(key, "custom")
    if field.field_type == FieldType.NUMBER:
        return queryset.annotate(**{SORT_KEY: Coalesce(Cast(text, FloatField()), Value(-1e300))})
    if field.field_type == FieldType.MONEY:
        amount: Any = KeyTextTransform("amount", KeyTextTransform(key, "custom"))
        return queryset.annotate(**{SORT_KEY: Coalesce(Cast(amount, FloatField()), Value(-1e300))})
    return queryset.annotate(**{SORT_KEY: Coalesce(text, Value(""))})


def sorted_by(queryset: QuerySet, *, actor: Any, resource: str, sort: str, sorts: Mapping[str, tuple[str, ...]],
              default: str) -> tuple[QuerySet, tuple[str, ...]]:
    """The queryset and its keyset ordering for ``sort``: a key of ``sorts`` or ``custom.<key>`` of a field the
    actor may read (``-`` for descending; ties broken by id). Empty means ``default``; anything else is a
    ValidationFailed."""
    if not sort or sort in sorts:
        return queryset, sorts[sort or default]
    descending = sort.startswith("-")
    if not sort.lstrip("-").startswith("custom."):
        raise ValidationFailed("Unknown sort.", errors={"sort": [f"Use one of {', '.join(sorts)} or custom.<key>."]})
    key = sort.lstrip("-").removeprefix("custom.")
    readable = {field.key for field in readable_fields(actor=actor, resource=resource)}
    queryset = annotate_custom_sort(queryset, resource=resource, key=key, readable=readable)
    sign = "-" if descending else ""
    return queryset, (sign + SORT_KEY, sign + "id")
