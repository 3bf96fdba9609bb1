"""The one module that decides access.

* ``can(actor, action, obj)`` — may ``actor`` do ``action`` on this record (or on the
  resource, when there is no record yet, e.g. create)?
* ``restrict(queryset, actor, action)`` — the same decision as SQL, applied before any
  row is fetched; every list, search, export and report goes through it.
* ``field_access(actor, resource, group)`` — read/write on a field group such as ``pricing``.
* ``explain(actor, obj)`` — for each action, whether it is allowed and by which rule.

A user's effective scope for an action is the widest scope any of their roles
grants. No row means no access (fail closed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from tandem.access.choices import SCOPE_RANK, Action, Scope
from tandem.access.registry import Resource, get_resource, resource_for_model


class SystemActor:
    """The actor used by background jobs and management commands: sees everything."""

    is_system = True
    is_authenticated = True
    is_active = True
    pk = None
    id = None
    email = "system"
    full_name = "Tandem"

    def __str__(self) -> str:
        return "Tandem (system)"


SYSTEM = SystemActor()


@dataclass(frozen=True)
class Grant:
    role_code: str
    role_name: str
    scope: str


@dataclass(frozen=True)
class FieldAccess:
    can_read: bool
    can_write: bool


@dataclass(frozen=True)
class ActionExplanation:
    action: str
    allowed: bool
    role_code: str | None
    scope: str | None
    reason: str

    @property
    def action_label(self) -> str:
        return _action_label(self.action)

    @property
    def scope_label(self) -> str:
        return str(Scope(self.scope).label) if self.scope in Scope.values else ""


def _is_system(actor: Any) -> bool:
    return getattr(actor, "is_system", False)


def _grants(actor: Any, resource: str, action: str) -> list[Grant]:
    """Every grant the actor's roles give for (resource, action), widest first. Cached per actor."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return []
    cache: dict[tuple[str, str], list[Grant]] | None = getattr(actor, "_access_grants", None)
    if cache is None:
        from tandem.access.models import Permission

        cache = {}
        rows = Permission.objects.filter(role__users=actor).values_list(
            "resource", "action", "scope", "role__code", "role__name"
        )
        for row_resource, row_action, scope, role_code, role_name in rows:
            cache.setdefault((row_resource, row_action), []).append(Grant(role_code, role_name, scope))
        for grants in cache.values():
            grants.sort(key=lambda grant: -SCOPE_RANK[Scope(grant.scope)])
        actor._access_grants = cache
    return cache.get((resource, action), [])


def forget_cached_grants(actor: Any) -> None:
    """Drop the per-actor cache (after the actor's roles or the policy changed)."""
    for attribute in ("_access_grants", "_field_access", "_readable_custom_keys"):
        if hasattr(actor, attribute):
            delattr(actor, attribute)


def effective_scope(actor: Any, resource: str, action: str) -> str | None:
    if _is_system(actor):
        return Scope.ALL
    grants = _grants(actor, resource, action)
    return grants[0].scope if grants else None


def _scope_q(resource: Resource, actor: Any, scope: str) -> Q | None:
    """The SQL condition for ``scope``; None means "nothing"."""
    if scope == Scope.ALL:
        return Q()
    own = resource.own(actor) if resource.own else None
    if scope == Scope.OWN:
        return own
    team = resource.team(actor) if resource.team else None
    if own is None:
        return team
    return own if team is None else own | team


def restrict(queryset: QuerySet, actor: Any, action: str = Action.VIEW) -> QuerySet:
    """``queryset`` narrowed to the rows ``actor`` may ``action``. Empty when nothing is granted."""
    if _is_system(actor):
        return queryset
    resource = resource_for_model(queryset.model)
    scope = effective_scope(actor, resource.name, action)
    if scope is None:
        return queryset.none()
    condition = _scope_q(resource, actor, scope)
    if condition is None:
        return queryset.none()
    return queryset.filter(condition) if condition else queryset


def _matching_grant(actor: Any, resource: Resource, action: str, obj: Model | None) -> Grant | None:
    grants = _grants(actor, resource.name, action)
    if obj is None or not resource.has_records:
        return grants[0] if grants else None
    for grant in grants:
        condition = _scope_q(resource, actor, grant.scope)
        if condition is None:
            continue
        if not condition or type(obj)._default_manager.filter(condition, pk=obj.pk).exists():
            return grant
    return None


def can(actor: Any, action: str, obj: Model | None = None, *, resource: str | None = None) -> bool:
    """May ``actor`` perform ``action`` on ``obj`` (or on ``resource`` when there is no record)?"""
    if _is_system(actor):
        return True
    target = get_resource(resource) if resource else resource_for_model(type(obj))
    return _matching_grant(actor, target, action, obj) is not None


def field_access(actor: Any, resource: str, field_group: str) -> FieldAccess:
    """Read/write access to a field group: the union over the actor's roles. Without any row for the group
    nobody but the system may read or write it (fail closed); writing implies reading; a deactivated user
    gets neither."""
    if _is_system(actor):
        return FieldAccess(True, True)
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return FieldAccess(False, False)
    cache: dict[tuple[str, str], FieldAccess] | None = getattr(actor, "_field_access", None)
    if cache is None:  # one query per actor (per request): lists check groups for every row
        from tandem.access.models import FieldGroupPermission

        merged: dict[tuple[str, str], tuple[bool, bool]] = {}
        rows = FieldGroupPermission.objects.filter(role__users=actor).values_list(
            "resource", "field_group", "can_read", "can_write")
        for row_resource, group, read, write in rows:
            old_read, old_write = merged.get((row_resource, group), (False, False))
            merged[(row_resource, group)] = (old_read or read or write, old_write or write)
        cache = {key: FieldAccess(read, write) for key, (read, write) in merged.items()}
        actor._field_access = cache
    return cache.get((resource, field_group), FieldAccess(False, False))


def _action_label(action: str) -> str:
    return str(Action(action).label) if action in Action.values else action


def _allowed_reason(grant: Grant, action: str, target: Resource, with_record: bool) -> str:
    values = {"role": grant.role_name, "action": _action_label(action), "resource": target.label}
    if not target.has_records:
        return _("Role “%(role)s” allows “%(action)s” on %(resource)s.") % values
    if grant.scope == Scope.ALL:
        return _("Role “%(role)s” allows “%(action)s” on all %(resource)s.") % values
    if grant.scope == Scope.TEAM:
        if with_record:
            return _("Role “%(role)s” allows “%(action)s” on the %(resource)s of the user and the user's teams, "
                     "and this record is one of them.") % values
        return _("Role “%(role)s” allows “%(action)s” on the %(resource)s of the user and the user's teams.") % values
    if with_record:
        return _("Role “%(role)s” allows “%(action)s” on the user's own %(resource)s, "
                 "and this record is one of them.") % values
    return _("Role “%(role)s” allows “%(action)s” on the user's own %(resource)s.") % values


def _outside_reason(grant: Grant, action: str, target: Resource) -> str:
    values = {"role": grant.role_name, "action": _action_label(action), "resource": target.label}
    if grant.scope == Scope.TEAM:
        return _("Role “%(role)s” allows “%(action)s” only on the %(resource)s of the user and the user's teams; "
                 "this record is outside that scope.") % values
    return _("Role “%(role)s” allows “%(action)s” only on the user's own %(resource)s; "
             "this record is outside that scope.") % values


def explain(actor: Any, obj: Model | None = None, *, resource: str | None = None) -> list[ActionExplanation]:
    """For every action of the resource: allowed or not, the role and scope that decided, and why.

    Always agrees with ``can()``: both use the same grants and the same scope conditions."""
    target = get_resource(resource) if resource else resource_for_model(type(obj))
    explanations = []
    for action in target.actions:
        if _is_system(actor):
            explanations.append(ActionExplanation(action, True, None, Scope.ALL,
                                                  _("The system actor may do everything.")))
            continue
        if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
            explanations.append(ActionExplanation(action, False, None, None,
                                                  _("The user is deactivated, so every action is denied.")))
            continue
        grants = _grants(actor, target.name, action)
        if not grants:
            explanations.append(ActionExplanation(
                action, False, None, None,
                _("None of the user's roles allows “%(action)s” on %(resource)s.")
                % {"action": _action_label(action), "resource": target.label}))
            continue
        grant = _matching_grant(actor, target, action, obj)
        if grant is not None:
            explanations.append(ActionExplanation(action, True, grant.role_code, grant.scope,
                                                  _allowed_reason(grant, action, target, obj is not None)))
        else:
            widest = grants[0]
            explanations.append(ActionExplanation(action, False, widest.role_code, widest.scope,
                                                  _outside_reason(widest, action, target)))
    return explanations
