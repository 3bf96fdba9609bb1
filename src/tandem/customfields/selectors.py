"""Reads of custom-field definitions, filtered by field-group access."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tandem.access.decide import field_access
from tandem.customfields.models import CustomField


def custom_field_list(*, resource: str) -> QuerySet[CustomField]:
    return CustomField.objects.filter(resource=resource)


def readable_fields(*, actor: Any, resource: str) -> list[CustomField]:
    return [f for f in custom_field_list(resource=resource)
            if not f.field_group or field_access(actor, resource, f.field_group).can_read]


def writable_fields(*, actor: Any, resource: str) -> list[CustomField]:
    return [f for f in custom_field_list(resource=resource)
            if not f.field_group or field_access(actor, resource, f.field_group).can_write]


def readable_values(*, actor: Any, resource: str, values: dict[str, Any]) -> dict[str, Any]:
    """The subset of a record's custom values the actor may read (unknown keys are dropped). The readable keys
    are looked up once per actor object (a request), not once per record of a list."""
    if not values:
        return {}
    cache: dict[str, frozenset[str]] | None = getattr(actor, "_readable_custom_keys", None)
    if cache is None:
        cache = {}
        actor._readable_custom_keys = cache
    if resource not in cache:
        cache[resource] = frozenset(f.key for f in readable_fields(actor=actor, resource=resource))
    keys = cache[resource]
    return {key: value for key, value in values.items() if key in keys}


def forget_readable_keys(actor: Any) -> None:
    """Drop the per-actor cache (after custom fields or field-group rules changed in the same request)."""
    if hasattr(actor, "_readable_custom_keys"):
        del actor._readable_custom_keys


def redact_changes(*, actor: Any, resource: str, changes: dict[str, Any]) -> dict[str, Any]:
    """An audit diff without the custom values the actor may not read."""
    readable = {f"custom.{field.key}" for field in readable_fields(actor=actor, resource=resource)}
    return {name: values for name, values in changes.items()
            if name != "custom" and (not name.startswith("custom.") or name in readable)}


def custom_field_all() -> QuerySet[CustomField]:
    return CustomField.objects.all()


def custom_field_by_public_id(*, public_id: str) -> CustomField | None:
    return CustomField.objects.filter(public_id=public_id).first()
