"""Editing the permission policy: validated, written in one transaction, every changed row audited, and
guarded against locking everybody out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tandem.access.choices import Action, Scope
from tandem.access.decide import can, forget_cached_grants
from tandem.access.models import FieldGroupPermission, Permission
from tandem.access.registry import Resource, field_group_names, get_resource
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_record, diff
from tandem.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from tandem.identity.models import Role, User


@dataclass(frozen=True)
class RuleChange:
    """Set how far ``role_code`` reaches for ``action`` on ``resource``; ``scope`` None removes the rule.

    With ``check_before`` the change is refused (Conflict) unless the rule still has the scope ``before``
    (None: no rule), so an editor never overwrites a change someone else saved meanwhile."""

    role_code: str
    resource: str
    action: str
    scope: str | None
    check_before: bool = False
    before: str | None = None

    @property
    def key(self) -> str:
        return f"{self.role_code}.{self.resource}.{self.action}"


@dataclass(frozen=True)
class FieldGroupChange:
    """Set read/write on ``field_group`` of ``resource`` for ``role_code`` (write implies read).

    ``before`` (read, write), when given, must still be the current access or the change is refused."""

    role_code: str
    resource: str
    field_group: str
    can_read: bool
    can_write: bool
    before: tuple[bool, bool] | None = None

    @property
    def key(self) -> str:
        return f"{self.role_code}.{self.resource}.{self.field_group}"


@dataclass(frozen=True)
class PolicyUpdate:
    """What a save changed: one sentence per changed row, in the order applied."""

    changes: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.changes)


def policy_set(
    *, actor: Any, rules: Iterable[RuleChange] = (), field_groups: Iterable[FieldGroupChange] = ()
) -> PolicyUpdate:
    """Apply rule and field-group changes in one transaction, auditing every changed row with before/after.

    Nothing is saved when any change is invalid, stale, or would leave no active user able to open and
    change the permission policy."""
    if not can(actor, Action.CHANGE, resource="access_policy"):
        raise PermissionDenied(_("You may not change permissions."))
    rules, field_groups = list(rules), list(field_groups)
    roles = {role.code: role for role in Role.objects.all()}
    _check_changes(rules, field_groups, roles)
    applied: list[str] = []
    with transaction.atomic():
        # Serialise policy edits: two administrators saving at once cannot both pass the lock-out check.
        list(Permission.objects.select_for_update().filter(resource="access_policy").values_list("pk", flat=True))
        stale: dict[str, list[str]] = {}
        for change in rules:
            description = _apply_rule(actor, roles[change.role_code], change, stale)
            if description:
                applied.append(description)
        for group in field_groups:
            description = _apply_field_group(actor, roles[group.role_code], group, stale)
            if description:
                applied.append(description)
        if stale:
            raise Conflict(_("Someone else changed some of these permissions meanwhile; nothing was saved. "
                             "Reload the page and make your change again."), errors=stale)
        _refuse_lockout()
    forget_cached_grants(actor)
    return PolicyUpdate(tuple(applied))


def _check_changes(rules: list[RuleChange], field_groups: list[FieldGroupChange], roles: dict[str, Role]) -> None:
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for change in rules:
        problems = []
        resource = _resource_or_none(change.resource)
        if resource is None:
            problems.append(_("Unknown resource “%(name)s”.") % {"name": change.resource})
        elif change.action not in resource.actions:
            problems.append(_("“%(action)s” is not an action on %(resource)s.")
                            % {"action": change.action, "resource": resource.label})
        elif change.scope is not None and not resource.has_records and change.scope != Scope.ALL:
            problems.append(_("%(resource)s have no records: a rule is either absent or “all”.")
                            % {"resource": str(resource.label).capitalize()})
        if change.role_code not in roles:
            problems.append(_("Unknown role “%(code)s”.") % {"code": change.role_code})
        if change.scope is not None and change.scope not in Scope.values:
            problems.append(_("Unknown scope “%(scope)s”; use own, team or all.") % {"scope": change.scope})
        if change.key in seen:
            problems.append(_("This rule is changed twice in one save."))
        seen.add(change.key)
        if problems:
            errors[change.key] = problems
    for group in field_groups:
        problems = []
        resource = _resource_or_none(group.resource)
        if resource is None:
            problems.append(_("Unknown resource “%(name)s”.") % {"name": group.resource})
        elif group.field_group not in field_group_names(resource.name, existing=_existing_groups(resource)):
            problems.append(_("Unknown field group “%(group)s”.") % {"group": group.field_group})
        if group.role_code not in roles:
            problems.append(_("Unknown role “%(code)s”.") % {"code": group.role_code})
        if group.key in seen:
            problems.append(_("This field group is changed twice in one save."))
        seen.add(group.key)
        if problems:
            errors[group.key] = problems
    if errors:
        raise ValidationFailed(_("The permission changes are invalid; nothing was saved."), errors=errors)


def _resource_or_none(name: str) -> Resource | None:
    try:
        return get_resource(name)
    except LookupError:
        return None


def _existing_groups(resource: Resource) -> set[str]:
    return set(FieldGroupPermission.objects.filter(resource=resource.name).values_list("field_group", flat=True))


def _scope_text(resource: Resource, scope: str | None) -> str:
    if scope is None:
        return _("none")
    if not resource.has_records:
        return _("allowed")
    return str(Scope(scope).label)


def _apply_rule(actor: Any, role: Role, change: RuleChange, stale: dict[str, list[str]]) -> str:
    """Write one rule; returns the audit sentence, or "" when nothing changed."""
    resource = get_resource(change.resource)
    row = Permission.objects.filter(role=role, resource=change.resource, action=change.action).first()
    before = row.scope if row else None
    if change.check_before and before != change.before:
        stale[change.key] = [_("Now “%(scope)s”.") % {"scope": _scope_text(resource, before)}]
        return ""
    if before == change.scope:
        return ""
    description = _("%(role)s · %(resource)s · %(action)s: %(before)s → %(after)s") % {
        "role": role.name, "resource": resource.label, "action": Action(change.action).label,
        "before": _scope_text(resource, before), "after": _scope_text(resource, change.scope)}
    changes = {"scope": [before, change.scope]}
    if row is None:
        row = Permission(role=role, resource=change.resource, action=change.action, scope=str(change.scope))
        row.full_clean()
        row.save()
        audit_record(actor=actor, action=AuditAction.CREATE, obj=row, changes=changes, summary=description)
    elif change.scope is None:
        audit_record(actor=actor, action=AuditAction.DELETE, obj=row, changes=changes, summary=description)
        row.delete()
    else:
        row.scope = change.scope
        row.full_clean()
        row.save(update_fields=["scope", "updated_at"])
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=row, changes=changes, summary=description)
    return description


def _apply_field_group(actor: Any, role: Role, group: FieldGroupChange, stale: dict[str, list[str]]) -> str:
    """Write one field-group row; returns the audit sentence, or "" when nothing changed."""
    resource = get_resource(group.resource)
    row = FieldGroupPermission.objects.filter(role=role, resource=group.resource,
                                              field_group=group.field_group).first()
    before = {"can_read": bool(row and row.can_read), "can_write": bool(row and row.can_write)}
    after = {"can_read": group.can_read or group.can_write, "can_write": group.can_write}
    if group.before is not None and (before["can_read"], before["can_write"]) != group.before:
        stale[group.key] = [_("Someone else changed this field group meanwhile.")]
        return ""
    changes = diff(before, after)
    if not changes:
        return ""
    description = _("%(role)s · %(resource)s · field group “%(group)s”: %(before)s → %(after)s") % {
        "role": role.name, "resource": resource.label, "group": group.field_group,
        "before": _access_text(**before), "after": _access_text(**after)}
    if row is None:
        row = FieldGroupPermission(role=role, resource=group.resource, field_group=group.field_group, **after)
        row.full_clean()
        row.save()
        audit_record(actor=actor, action=AuditAction.CREATE, obj=row, changes=changes, summary=description)
    else:
        row.can_read, row.can_write = after["can_read"], after["can_write"]
        row.full_clean()
        row.save(update_fields=["can_read", "can_write", "updated_at"])
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=row, changes=changes, summary=description)
    return description


def _access_text(*, can_read: bool, can_write: bool) -> str:
    if can_write:
        return _("read and write")
    return _("read only") if can_read else _("hidden")


def _refuse_lockout() -> None:
    """At least one active user must still be able to open and change the policy, or nobody could undo a
    mistake. The two rights may come from different roles of the same user."""
    def holders(action: str) -> Any:
        return User.objects.filter(is_active=True, roles__permissions__resource="access_policy",
                                   roles__permissions__action=action).values("pk")

    if not User.objects.filter(pk__in=holders(Action.CHANGE)).filter(pk__in=holders(Action.VIEW)).exists():
        raise ValidationFailed(
            _("This change would leave nobody able to change permissions; nothing was saved."),
            errors={"policy": [_("Keep “view” and “change” on permissions for at least one active user's role.")]})
