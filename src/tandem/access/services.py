"""Editing the permission policy: validated, audited, and guarded against locking everyone out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tandem.access.choices import Action, Scope
from tandem.access.decide import can, forget_cached_grants
from tandem.access.models import FieldGroupPermission, Permission
from tandem.access.registry import get_resource
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_record
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.identity.models import Role, User


@dataclass(frozen=True)
class RuleChange:
    role_code: str
    resource: str
    action: str
    scope: str | None  # None removes the rule


@dataclass(frozen=True)
class FieldGroupChange:
    role_code: str
    resource: str
    field_group: str
    can_read: bool
    can_write: bool


def policy_set(*, actor: Any, rules: Iterable[RuleChange] = (), field_groups: Iterable[FieldGroupChange] = ()) -> int:
    """Apply rule and field-group changes in one transaction; returns how many rows changed."""
    if not can(actor, Action.CHANGE, resource="access_policy"):
        raise PermissionDenied(_("You may not change permissions."))
    rules, field_groups = list(rules), list(field_groups)
    roles = {role.code: role for role in Role.objects.all()}
    errors: dict[str, list[str]] = {}
    for change in rules:
        try:
            resource = get_resource(change.resource)
        except LookupError:
            errors.setdefault("resource", []).append(_("Unknown resource %(name)s") % {"name": change.resource})
            continue
        if change.role_code not in roles:
            errors.setdefault("role", []).append(_("Unknown role %(code)s") % {"code": change.role_code})
        if change.action not in resource.actions:
            errors.setdefault("action", []).append(_("Unknown action %(action)s") % {"action": change.action})
        if change.scope is not None and change.scope not in Scope.values:
            errors.setdefault("scope", []).append(_("Unknown scope %(scope)s") % {"scope": change.scope})
    for group in field_groups:
        if group.role_code not in roles:
            errors.setdefault("role", []).append(_("Unknown role %(code)s") % {"code": group.role_code})
    if errors:
        raise ValidationFailed(_("The permission changes are invalid."), errors=errors)
    changed = 0
    with transaction.atomic():
        for change in rules:
            role = roles[change.role_code]
            row = Permission.objects.filter(role=role, resource=change.resource, action=change.action).first()
            before = row.scope if row else None
            if before == change.scope:
                continue
            if change.scope is None and row is not None:
                row.delete()
            elif change.scope is not None and row is None:
                Permission.objects.create(role=role, resource=change.resource, action=change.action,
                                          scope=change.scope)
            elif change.scope is not None and row is not None:
                row.scope = change.scope
                row.save(update_fields=["scope", "updated_at"])
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=None,
                         changes={f"{role.code}.{change.resource}.{change.action}": [before, change.scope]},
                         summary=_("Permission changed"))
            changed += 1
        for group in field_groups:
            role = roles[group.role_code]
            group_row, _created = FieldGroupPermission.objects.get_or_create(
                role=role, resource=group.resource, field_group=group.field_group,
                defaults={"can_read": False, "can_write": False})
            access_before = [group_row.can_read, group_row.can_write]
            access_after = [group.can_read or group.can_write, group.can_write]
            if access_before == access_after:
                continue
            group_row.can_read, group_row.can_write = access_after
            group_row.save(update_fields=["can_read", "can_write", "updated_at"])
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=None,
                         changes={f"{role.code}.{group.resource}.{group.field_group}": [access_before, access_after]},
                         summary=_("Field-group access changed (read, write)"))
            changed += 1
        _refuse_lockout()
    forget_cached_grants(actor)
    return changed


def _refuse_lockout() -> None:
    """At least one active user must still be able to change the policy, or nobody could undo a mistake."""
    holders = User.objects.filter(is_active=True, roles__permissions__resource="access_policy",
                                  roles__permissions__action=Action.CHANGE)
    if not holders.exists():
        raise ValidationFailed(_("This change would leave nobody able to change permissions; nothing was saved."),
                               errors={"policy": [_("Keep 'change permissions' for at least one active user's role.")]})
