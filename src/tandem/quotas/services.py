"""Writes for quotas: set one person's quota, or one for everyone holding a role (a manager: their team; an
administrator: everyone), change its target, remove it. Authorise → validate → write → audit."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tandem.access.choices import Action, Scope
from tandem.access.decide import can, effective_scope
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_created, audit_deleted, audit_record
from tandem.contracts import selectors as contract_selectors
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.identity.models import Role, User
from tandem.quotas import logic, selectors
from tandem.quotas.access import team_members
from tandem.quotas.choices import MONEY_METRICS, Metric, Period
from tandem.quotas.models import Quota

AUDITED = ("user", "role", "metric", "period", "period_start", "target", "currency")
MAX_TARGET = Decimal("999999999999.99")


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors={field: [message]})


def _user(actor: Any) -> User | None:
    return None if getattr(actor, "is_system", False) or getattr(actor, "pk", None) is None else actor


def _may(actor: Any, action: str, user: User) -> bool:
    """May ``actor`` create/change/delete a quota of ``user``: administrators anyone's, managers their team's."""
    scope = effective_scope(actor, "quota", action)
    if scope == Scope.ALL:
        return True
    if scope == Scope.TEAM:
        return team_members(actor).filter(pk=user.pk).exists()
    return scope == Scope.OWN and user.pk == getattr(actor, "pk", None)


def _target(value: Any) -> Decimal:
    if value is None or value == "":
        raise _fail("target", _("Give the target."))
    try:
        target = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise _fail("target", _("Enter a number such as 10000.")) from None
    if not target.is_finite() or target <= 0:
        raise _fail("target", _("The target must be greater than zero."))
    if target > MAX_TARGET:
        raise _fail("target", _("The target is too large."))
    return target


def _validate(*, user: User | None, role: str, metric: str, period: str, target: Any) -> Decimal:
    errors: dict[str, list[str]] = {}
    if user is None or not user.is_active:
        errors["user"] = [_("Choose an active colleague.")]
    if metric not in Metric.values:
        errors["metric"] = [_("Choose bookings, one-off, calls or opportunities created.")]
    if period not in Period.values:
        errors["period"] = [_("Choose month, quarter or year.")]
    if role and not Role.objects.filter(code=role).exists():
        errors["role"] = [_("Unknown role %(role)r.") % {"role": role}]
    elif role and user is not None and not user.roles.filter(code=role).exists():
        errors["role"] = [_("%(user)s does not hold this role.") % {"user": user}]
    try:
        amount = _target(target)
    except ValidationFailed as error:
        errors.update(error.errors or {})
        amount = Decimal(0)
    if errors:
        raise ValidationFailed(_("The quota is invalid."), errors=errors)
    return amount


def _default_role(user: User, metric: str) -> str:
    preferred = ("sdr",) if metric in (Metric.CALLS, Metric.OPPORTUNITIES) else ("am", "ae", "renewal")
    codes = set(user.roles.values_list("code", flat=True))
    return next((code for code in preferred if code in codes), next(iter(sorted(codes)), ""))


def require_create(*, actor: Any) -> None:
    """Refuse early (before looking anything up) when the actor may not set quotas at all."""
    if not can(actor, Action.CREATE, resource="quota"):
        raise PermissionDenied(_("You may not set quotas."))


def quota_set(*, actor: Any, user: User | None, metric: str = Metric.BOOKINGS, period: str = Period.MONTH,
              period_start: datetime.date | None = None, target: Any = None, role: str = "") -> Quota:
    """Set ``user``'s quota for the period containing ``period_start`` (this period by default): created, or its
    target changed when one exists."""
    if not can(actor, Action.CREATE, resource="quota"):
        raise PermissionDenied(_("You may not set quotas."))
    role = role or (_default_role(user, metric) if user is not None else "")
    amount = _validate(user=user, role=role, metric=metric, period=period, target=target)
    assert user is not None
    if not _may(actor, Action.CREATE, user):
        raise PermissionDenied(_("You may set the quotas of your team only."))
    start = logic.period_start(period, period_start or selectors.today())
    currency = contract_selectors.workspace_currency() if metric in MONEY_METRICS else ""
    with transaction.atomic():
        quota = Quota.objects.select_for_update().filter(user=user, metric=metric, period=period,
                                                         period_start=start).first()
        if quota is None:
            quota = Quota.objects.create(user=user, role=role, metric=metric, period=period, period_start=start,
                                         target=amount, currency=currency, created_by=_user(actor))
            audit_created(actor=actor, obj=quota, fields=AUDITED)
        elif quota.target != amount or quota.role != role:
            changes = {name: [str(old), str(new)] for name, old, new in (("target", quota.target, amount),
                                                                        ("role", quota.role, role)) if old != new}
            quota.target, quota.role = amount, role
            quota.save(update_fields=["target", "role", "updated_at"])
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=quota, changes=changes)
    return quota


def quota_bulk_set(*, actor: Any, role: str, metric: str, period: str, period_start: datetime.date | None,
                   target: Any) -> list[Quota]:
    """The same quota for everyone holding ``role`` whose quotas ``actor`` may set (a manager: their team)."""
    if not can(actor, Action.CREATE, resource="quota"):
        raise PermissionDenied(_("You may not set quotas."))
    if not Role.objects.filter(code=role).exists():
        raise _fail("role", _("Unknown role %(role)r.") % {"role": role})
    people = [user for user in selectors.people_with_role(role=role) if _may(actor, Action.CREATE, user)]
    if not people:
        raise _fail("role", _("Nobody in your reach holds this role."))
    with transaction.atomic():
        return [quota_set(actor=actor, user=user, role=role, metric=metric, period=period, period_start=period_start,
                          target=target) for user in people]


def quota_update(*, actor: Any, quota: Quota, target: Any) -> Quota:
    if not can(actor, Action.CHANGE, quota) or not _may(actor, Action.CHANGE, quota.user):
        raise PermissionDenied(_("You may not change this quota."))
    amount = _target(target)
    if amount == quota.target:
        return quota
    with transaction.atomic():
        before = quota.target
        quota.target = amount
        quota.save(update_fields=["target", "updated_at"])
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=quota, changes={"target": [str(before),
                                                                                            str(amount)]})
    return quota


def quota_delete(*, actor: Any, quota: Quota) -> None:
    if not can(actor, Action.DELETE, quota) or not _may(actor, Action.DELETE, quota.user):
        raise PermissionDenied(_("You may not remove this quota."))
    with transaction.atomic():
        audit_deleted(actor=actor, obj=quota, fields=AUDITED)
        quota.delete()
