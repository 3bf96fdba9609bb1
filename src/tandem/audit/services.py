"""Recording audit entries. Every service that creates, changes or deletes calls one of these."""

from __future__ import annotations

import datetime
import decimal
import functools
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.audit.models import AuditAction, AuditEntry
from tandem.core.bulk import insert_rows, insert_tuples

_SCALARS = (str, bool, int, float, type(None))
_SCALAR_TYPES = frozenset(_SCALARS)


def _plain(value: Any) -> Any:
    """A JSON-safe rendering of a field value."""
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


def snapshot(obj: Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of ``fields`` on ``obj`` (foreign keys as their text), for diffing."""
    values = {}
    for name, is_foreign_key in _field_kinds(type(obj), tuple(fields)):
        value = getattr(obj, name)
        if is_foreign_key:
            values[name] = str(value) if value is not None else None
        else:
            values[name] = value if type(value) in _SCALAR_TYPES else _plain(value)  # the common case inline
    return values


@functools.lru_cache(maxsize=256)
def _field_kinds(model: type[Model], names: tuple[str, ...]) -> tuple[tuple[str, bool], ...]:
    """(name, is a foreign key) for each field: looked up once per model and field list, not per record."""
    kinds = []
    for name in names:
        field = model._meta.get_field(name)
        kinds.append((name, bool(field.is_relation and field.many_to_one)))
    return tuple(kinds)


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for every field whose value changed."""
    return {
        name: [_plain(before.get(name)), _plain(after.get(name))]
        for name in sorted(set(before) | set(after))
        if _plain(before.get(name)) != _plain(after.get(name))
    }


def audit_values(
    *,
    actor: Any,
    action: str,
    obj: Model | None,
    changes: Mapping[str, list[Any]] | None = None,
    summary: str = "",
) -> dict[str, Any]:
    """The field values of an audit entry (``audit_record`` saves one; bulk writers save many with
    ``audit_save_many``)."""
    is_user = getattr(actor, "pk", None) is not None and not getattr(actor, "is_system", False)
    return {
        "actor_id": actor.pk if is_user else None,
        "actor_label": (getattr(actor, "email", "") or str(actor)) if actor is not None else "system",
        "action": action,
        "content_type_id": ContentType.objects.get_for_model(type(obj)).pk if obj is not None else None,
        "object_id": str(obj.pk) if obj is not None else "",
        "object_repr": str(obj)[:200] if obj is not None else "",
        "summary": summary[:300],
        "changes": dict(changes or {}),
    }


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: Model | None,
    changes: Mapping[str, list[Any]] | None = None,
    summary: str = "",
) -> AuditEntry:
    """Write one audit entry for ``obj`` (None for actions on no single record, e.g. an export).
    Call inside the service's transaction."""
    entry = AuditEntry(**audit_values(actor=actor, action=action, obj=obj, changes=changes, summary=summary))
    entry.save()
    return entry


def created_changes(obj: Model, fields: Iterable[str]) -> dict[str, list[Any]]:
    """The ``changes`` of a creation: every non-empty field (as ``snapshot`` renders it) as [None, value]."""
    changes = {}
    for name, is_foreign_key in _field_kinds(type(obj), tuple(fields)):
        value = getattr(obj, name)
        if value is None:
            continue
        if is_foreign_key:
            value = str(value)
        elif type(value) not in _SCALAR_TYPES:
            value = _plain(value)
        if value != "" and value != []:
            changes[name] = [None, value]
    return changes


def audit_created_many(*, actor: Any, objects: list[Any], fields: Iterable[str]) -> None:
    """What ``audit_created`` records, for many new records of one model in one statement (imports): their
    entries differ only in the record, so the rest is worked out once and the rows go in as tuples. Call inside
    the transaction that created them."""
    if not objects:
        return
    common = audit_values(actor=actor, action=AuditAction.CREATE, obj=objects[0])
    fields = tuple(fields)
    now = timezone.now()
    constant = (common["actor_id"], common["actor_label"], common["action"], common["content_type_id"], "", now)
    insert_tuples(AuditEntry, ["actor_id", "actor_label", "action", "content_type_id", "summary", "at",
                               "object_id", "object_repr", "changes"],
                  [(*constant, str(obj.pk), str(obj)[:200], created_changes(obj, fields)) for obj in objects])


def audit_save_many(entries: list[dict[str, Any]]) -> None:
    """Save entries built with ``audit_values`` in as few statements as possible. Call inside the transaction."""
    insert_rows(AuditEntry, entries)


def audit_created(*, actor: Any, obj: Model, fields: Iterable[str], summary: str = "") -> AuditEntry:
    return audit_record(actor=actor, action=AuditAction.CREATE, obj=obj, changes=created_changes(obj, fields),
                        summary=summary)


def audit_deleted(*, actor: Any, obj: Model, fields: Iterable[str], summary: str = "") -> AuditEntry:
    before = snapshot(obj, fields)
    changes = {name: [value, None] for name, value in before.items() if value not in (None, "", [])}
    return audit_record(actor=actor, action=AuditAction.DELETE, obj=obj, changes=changes, summary=summary)


def audit_export_record(*, actor: Any, filters: Any, count: int) -> AuditEntry:
    """Record that ``actor`` exported ``count`` audit entries chosen by ``filters`` (an AuditFilters)."""
    described = {name: str(value) for name, value in (
        ("actor", filters.actor_email), ("object_type", filters.object_type), ("action", filters.action),
        ("text", filters.text), ("since", filters.since), ("until", filters.until)) if value}
    summary = _("Exported the audit log (%(count)s entries)") % {"count": count}
    if described:
        summary += " — " + ", ".join(f"{name}={value}" for name, value in described.items())
    return audit_record(actor=actor, action=AuditAction.EXPORT, obj=None, summary=summary)
