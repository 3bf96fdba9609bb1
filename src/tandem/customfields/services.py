"""Custom-field definitions (administrators) and the one validation path for their values."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tandem.access.decide import can, field_access
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_created, audit_deleted, audit_record, diff, snapshot
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.customfields.choices import CUSTOMIZABLE_RESOURCES, FieldType
from tandem.customfields.logic import FieldSpec, coerce, is_empty
from tandem.customfields.models import CustomField
from tandem.customfields.selectors import forget_readable_keys
from tandem.identity.models import User

FIELD_GROUP_NAME = re.compile(r"[a-z][a-z0-9_]*")
DEFINITION_FIELDS = ("resource", "key", "label", "field_type", "choices", "required", "field_group", "help_text",
                     "position")


def _spec(field: CustomField) -> FieldSpec:
    return FieldSpec(field.key, field.field_type, tuple(field.choices or ()), field.required)


def custom_field_definitions(*, resource: str) -> dict[str, CustomField]:
    """The definitions of ``resource``'s custom fields by key (callers validating many rows load them once)."""
    return {field.key: field for field in CustomField.objects.filter(resource=resource)}


def active_user_emails() -> frozenset[str]:
    """What a ``user`` custom field accepts (callers validating many rows load it once)."""
    return frozenset(User.objects.filter(is_active=True).values_list("email", flat=True))


def custom_values_apply(*, actor: Any, resource: str, current: dict[str, Any] | None,
                        changes: dict[str, Any] | None, creating: bool,
                        definitions: dict[str, CustomField] | None = None,
                        user_emails: frozenset[str] | None = None) -> dict[str, Any]:
    """Validate ``changes`` (key -> raw value) against the definitions and return the new values dict.

    Errors are keyed ``custom.<key>``. Values of fields in a field group the actor may not write are refused;
    on create, required fields must be present. ``definitions`` and ``user_emails`` may be passed in when
    many rows are validated in a row (imports)."""
    if definitions is None:
        definitions = custom_field_definitions(resource=resource)
    result = dict(current or {})
    errors: dict[str, list[str]] = {}
    changes = dict(changes or {})
    if user_emails is None:
        user_emails = frozenset()
        if any(definitions.get(key) and definitions[key].field_type == FieldType.USER for key in changes):
            user_emails = active_user_emails()
    for key, raw in changes.items():
        field = definitions.get(key)
        if field is None:
            errors[f"custom.{key}"] = [_("Unknown custom field.")]
            continue
        if field.field_group and not field_access(actor, resource, field.field_group).can_write:
            if result.get(key) != raw:
                errors[f"custom.{key}"] = [_("You may not change this field.")]
            continue
        coerced = coerce(_spec(field), raw, user_emails=user_emails)
        if coerced.error:
            errors[f"custom.{key}"] = [_(coerced.error)]
        elif is_empty(coerced.value):
            result.pop(key, None)
        else:
            result[key] = coerced.value
    for key, field in definitions.items():
        if field.required and is_empty(result.get(key)) and (creating or key in changes):
            errors.setdefault(f"custom.{key}", [_("This field is required.")])
    if errors:
        raise ValidationFailed(_("Some custom fields are invalid."), errors=errors)
    return result


def _authorise(actor: Any, action: str) -> None:
    if not can(actor, action, resource="custom_field"):
        raise PermissionDenied(_("Only administrators manage custom fields."))


def _validated(field: CustomField) -> None:
    errors: dict[str, list[str]] = {}
    if field.resource not in CUSTOMIZABLE_RESOURCES:
        errors["resource"] = [_("Custom fields exist for: %(names)s.") % {"names": ", ".join(CUSTOMIZABLE_RESOURCES)}]
    choices = [str(choice).strip() for choice in (field.choices or []) if str(choice).strip()]
    field.choices = list(dict.fromkeys(choices))
    field.field_group = (field.field_group or "").strip()
    if field.field_group and not FIELD_GROUP_NAME.fullmatch(field.field_group):
        # The group is named in the permission editor and in permission rows, like a key.
        errors["field_group"] = [_("Lower-case letters, digits and underscores, starting with a letter.")]
    if field.field_type in (FieldType.CHOICE, FieldType.MULTI_CHOICE) and not field.choices:
        errors["choices"] = [_("Give at least one choice.")]
    try:
        field.full_clean(exclude=["choices"])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if CustomField.objects.filter(resource=field.resource, key=field.key).exclude(pk=field.pk).exists():
        errors["key"] = [_("Another field already uses this key.")]
    if errors:
        raise ValidationFailed(_("The custom field is invalid."), errors=errors)


def custom_field_create(*, actor: Any, resource: str, key: str, label: str, field_type: str,
                        choices: Iterable[str] = (), required: bool = False, field_group: str = "",
                        help_text: str = "", position: int = 0) -> CustomField:
    _authorise(actor, "create")
    field = CustomField(resource=resource, key=key.strip(), label=label.strip(), field_type=field_type,
                        choices=list(choices), required=required, field_group=field_group.strip(),
                        help_text=help_text.strip(), position=position)
    _validated(field)
    with transaction.atomic():
        field.save()
        audit_created(actor=actor, obj=field, fields=DEFINITION_FIELDS)
    forget_readable_keys(actor)
    return field


def custom_field_update(*, actor: Any, field: CustomField, **changes: Any) -> CustomField:
    _authorise(actor, "change")
    allowed = {"label", "choices", "required", "field_group", "help_text", "position"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed(_("These cannot be changed after creation."),
                               errors={name: [_("Cannot be changed.")] for name in unknown})
    with transaction.atomic():
        before = snapshot(field, DEFINITION_FIELDS)
        for name, value in changes.items():
            setattr(field, name, value)
        _validated(field)
        changed = diff(before, snapshot(field, DEFINITION_FIELDS))
        if changed:
            field.save()
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=field, changes=changed)
    forget_readable_keys(actor)
    return field


def custom_field_delete(*, actor: Any, field: CustomField) -> None:
    """Remove the definition. Stored values stay in the records' JSON but are no longer shown or exported."""
    _authorise(actor, "delete")
    with transaction.atomic():
        audit_deleted(actor=actor, obj=field, fields=DEFINITION_FIELDS)
        field.delete()
    forget_readable_keys(actor)


def expand_custom_changes(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Turn an audit diff's ``custom: [before_dict, after_dict]`` into one ``custom.<key>`` entry per changed
    value, so the audit trail is readable and can be redacted per field group."""
    if "custom" not in changes:
        return changes
    before, after = changes.pop("custom")
    before, after = before or {}, after or {}
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            changes[f"custom.{key}"] = [before.get(key), after.get(key)]
    return changes
