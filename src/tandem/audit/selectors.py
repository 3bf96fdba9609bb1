"""Reads of the audit log: the whole log for those who may view it, one record's history for anyone who may
view that record."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.access.choices import Action
from tandem.access.decide import can, field_access, restrict
from tandem.access.registry import get_resource, sourced_fields
from tandem.audit.models import AuditEntry
from tandem.audit.registry import merged_records
from tandem.core.exceptions import NotFound, PermissionDenied, ValidationFailed


def entries_for_object(*, actor: Any, obj: Model) -> QuerySet[AuditEntry]:
    """The history of one record. The caller has already checked that ``actor`` may view ``obj``."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
    ).select_related("actor")


@dataclass(frozen=True)
class AuditFilters:
    """``actor_email`` matches the acting user's email (or "system"); ``object_type`` a model name such as
    ``account`` or ``permission``; ``text`` the record's name or the entry's summary; dates are inclusive days
    in the current time zone."""

    actor_email: str = ""
    object_type: str = ""
    object_id: str = ""
    action: str = ""
    text: str = ""
    since: datetime.date | str | None = None
    until: datetime.date | str | None = None


def _day(value: datetime.date | str | None, field: str) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed(_("Use dates like 2026-11-22."),
                               errors={field: [_("Enter a date as YYYY-MM-DD.")]}) from None


def _filtered(entries: QuerySet[AuditEntry], filters: AuditFilters) -> QuerySet[AuditEntry]:
    if filters.actor_email:
        entries = entries.filter(Q(actor_label__iexact=filters.actor_email.strip())
                                 | Q(actor__email__iexact=filters.actor_email.strip()))
    if filters.object_type:
        entries = entries.filter(content_type__model=filters.object_type.strip().lower())
    if filters.object_id:
        entries = entries.filter(object_id=filters.object_id)
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.text:
        entries = entries.filter(Q(object_repr__icontains=filters.text) | Q(summary__icontains=filters.text))
    since, until = _day(filters.since, "since"), _day(filters.until, "until")
    if since and until and since > until:
        raise ValidationFailed(_("The start date is after the end date."),
                               errors={"until": [_("Choose a day on or after the start date.")]})
    zone = timezone.get_current_timezone()
    if since:
        entries = entries.filter(at__gte=datetime.datetime.combine(since, datetime.time.min, tzinfo=zone))
    if until:
        next_day = until + datetime.timedelta(days=1)
        entries = entries.filter(at__lt=datetime.datetime.combine(next_day, datetime.time.min, tzinfo=zone))
    return entries


def entry_list(*, actor: Any, filters: AuditFilters) -> QuerySet[AuditEntry]:
    """The whole log, filtered, newest first. Only for actors who may view the audit log."""
    if not can(actor, Action.VIEW, resource="audit_log"):
        raise PermissionDenied(_("You may not read the audit log; ask for one record's history instead."))
    return _filtered(AuditEntry.objects.select_related("actor", "content_type"), filters).order_by("-at", "-id")


def entry_export_rows(*, actor: Any, filters: AuditFilters) -> QuerySet[AuditEntry]:
    """What an audit-log export contains. Only for actors who may export the audit log."""
    if not can(actor, Action.EXPORT, resource="audit_log"):
        raise PermissionDenied(_("You may not export the audit log."))
    return _filtered(AuditEntry.objects.select_related("content_type"), filters).order_by("-at", "-id")


@dataclass(frozen=True)
class RecordHistory:
    """One record's audit entries, including those of duplicates merged into it. ``public_ids`` maps each
    entry's ``object_id`` to the public id of the record it was written for (the record's own, or the
    duplicate's)."""

    record: Model
    resource: str
    entries: QuerySet[AuditEntry]
    public_ids: dict[str, str]


def record_history(*, actor: Any, resource: str, public_id: str, filters: AuditFilters | None = None
                   ) -> RecordHistory:
    """The audit entries of one record of ``resource`` (e.g. ``account``) that ``actor`` may view, and of the
    duplicates merged into it; NotFound when the record does not exist or is invisible to the actor."""
    try:
        target = get_resource(resource)
    except LookupError:
        raise ValidationFailed(_("Unknown object type."),
                               errors={"object_type": [_("Use a resource such as “account”.")]}) from None
    if not target.has_records:
        raise ValidationFailed(_("This object type has no records."),
                               errors={"object_type": [_("Use a resource such as “account”.")]})
    model = apps.get_model(str(target.model_label))
    record = restrict(model._default_manager.all(), actor, Action.VIEW).filter(public_id=public_id).first()
    if record is None:
        raise NotFound(_("No such record."))
    public_ids = {**merged_records(target.name, record), str(record.pk): record.public_id}
    base = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(model),
                                     object_id__in=list(public_ids)).select_related("actor", "content_type")
    narrowed = AuditFilters(actor_email=filters.actor_email, action=filters.action, text=filters.text,
                            since=filters.since, until=filters.until) if filters else AuditFilters()
    return RecordHistory(record, target.name, _filtered(base, narrowed).order_by("-at", "-id"), public_ids)


@dataclass(frozen=True)
class ChangeRedaction:
    """What of a record history's diffs a reader may see, decided once per resource and reader."""

    everything: bool
    hidden: frozenset[str]  # fields of field groups the reader may not read
    shown_custom: frozenset[str]  # ``custom.<key>`` of defined custom fields the reader may read

    def apply(self, changes: dict[str, Any]) -> dict[str, Any]:
        if self.everything:
            return changes
        return {name: values for name, values in changes.items()
                if name not in self.hidden and name != "custom"
                and (not name.startswith("custom.") or name in self.shown_custom)}


def change_redaction(*, actor: Any, resource: str) -> ChangeRedaction:
    """Those who may view the whole audit log see everything. Others do not see the fields of field groups
    they may not read — the resource's own and custom fields put in a group — nor the values of custom fields
    that no longer exist (their group is unknown), nor a whole ``custom`` dict (as written on create and
    delete)."""
    if can(actor, Action.VIEW, resource="audit_log"):
        return ChangeRedaction(True, frozenset(), frozenset())
    sourced = sourced_fields(resource)
    readable: dict[str, bool] = {}
    for group in {*get_resource(resource).field_groups, *(field.field_group for field in sourced)} - {""}:
        readable[group] = field_access(actor, resource, group).can_read
    hidden = {name for group, names in get_resource(resource).field_groups.items() if not readable[group]
              for name in names}
    shown_custom = {field.name for field in sourced if not field.field_group or readable[field.field_group]}
    hidden.update(field.name for field in sourced if field.name not in shown_custom)
    return ChangeRedaction(False, frozenset(hidden), frozenset(shown_custom))


def object_ids(entries: Iterable[AuditEntry]) -> dict[tuple[int, str], str | None]:
    """``(content type id, object id) -> the id to show``: the public id for records that have one (None once
    the record is deleted, so internal keys never leak), the internal id for rows without a public id (such as
    permission rules). One query per record type."""
    wanted: dict[int, set[str]] = {}
    for entry in entries:
        if entry.content_type_id and entry.object_id:
            wanted.setdefault(entry.content_type_id, set()).add(entry.object_id)
    shown: dict[tuple[int, str], str | None] = {}
    for content_type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None or not any(field.name == "public_id" for field in model._meta.get_fields()):
            shown.update({(content_type_id, pk): pk for pk in ids})
            continue
        shown.update({(content_type_id, pk): None for pk in ids})
        pks = [int(pk) for pk in ids if pk.isdigit()]
        for pk, public_id in model._default_manager.filter(pk__in=pks).values_list("pk", "public_id"):
            shown[(content_type_id, str(pk))] = public_id
    return shown


@dataclass(frozen=True)
class ObjectType:
    name: str
    label: str


def object_types(*, actor: Any) -> list[ObjectType]:
    """The kinds of record present in the log, for the filter."""
    ids = AuditEntry.objects.exclude(content_type=None).values_list("content_type", flat=True).distinct()
    types = []
    for content_type in ContentType.objects.filter(pk__in=ids):
        model = content_type.model_class()
        label = str(model._meta.verbose_name) if model is not None else content_type.model
        types.append(ObjectType(content_type.model, label))
    return sorted(types, key=lambda item: item.label.lower())
