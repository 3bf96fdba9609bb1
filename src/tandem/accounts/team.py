"""Account-team services: who holds which role on which account, with history and bulk reassignment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tandem.access.choices import Action
from tandem.access.decide import can, restrict
from tandem.accounts.choices import TEAM_ROLE_CODES
from tandem.accounts.models import Account, AccountTeamChange, AccountTeamMember
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_record
from tandem.core.events import publish
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.identity.models import Role, User


def _role(code: str) -> Role:
    role = Role.objects.filter(code=code, code__in=TEAM_ROLE_CODES).first()
    if role is None:
        message = _("Unknown team role: %(code)s") % {"code": code}
        raise ValidationFailed(message, errors={"role": [message]})
    return role


def _check_holder(user: User, role: Role) -> None:
    if not user.is_active:
        raise ValidationFailed(_("The user is deactivated."), errors={"user": [_("The user is deactivated.")]})
    if not user.roles.filter(pk=role.pk).exists():
        raise ValidationFailed(
            _("%(user)s does not hold the role %(role)s.") % {"user": user, "role": role.name},
            errors={"user": [_("%(user)s does not hold the role %(role)s.") % {"user": user, "role": role.name}]},
        )


def _assign_locked(*, actor: Any, account: Account, role: Role, user: User | None, reason: str) -> bool:
    """Inside a transaction: put ``user`` (or nobody) in ``role`` on ``account``. True if anything changed."""
    seat = AccountTeamMember.objects.select_for_update().filter(account=account, role=role).first()
    previous = seat.user if seat else None
    if previous == user:
        return False
    if seat is not None and user is None:
        seat.delete()
    elif seat is not None and user is not None:
        seat.user = user
        seat.save(update_fields=["user"])
    elif user is not None:
        AccountTeamMember.objects.create(account=account, role=role, user=user)
    change = AccountTeamChange.objects.create(account=account, role=role, from_user=previous, to_user=user,
                                              changed_by=None if getattr(actor, "is_system", False) else actor,
                                              reason=reason[:200])
    audit_record(actor=actor, action=AuditAction.CHANGE, obj=account,
                 changes={f"team.{role.code}": [str(previous) if previous else None, str(user) if user else None]},
                 summary=reason)
    publish("account.team_changed", actor=actor, account=account, change=change)
    return True


def account_team_assign(*, actor: Any, account: Account, role_code: str, user: User | None,
                        reason: str = "") -> bool:
    """Give ``role_code`` on ``account`` to ``user`` (None clears the seat). Returns whether it changed."""
    if not can(actor, Action.CHANGE, account):
        raise PermissionDenied(_("You may not change this account's team."))
    role = _role(role_code)
    if user is not None:
        _check_holder(user, role)
    with transaction.atomic():
        return _assign_locked(actor=actor, account=account, role=role, user=user, reason=reason)


@dataclass(frozen=True)
class ReassignmentResult:
    moved: int
    per_user: dict[str, int]


def account_team_bulk_reassign(*, actor: Any, from_user: User, role_code: str, to_users: Sequence[User],
                               reason: str = "") -> ReassignmentResult:
    """Move every account where ``from_user`` holds ``role_code`` to ``to_users``, spread evenly (round-robin
    in account-name order), in one transaction: all accounts move or none do."""
    role = _role(role_code)
    if not to_users:
        message = _("Choose at least one colleague.")
        raise ValidationFailed(message, errors={"to_users": [message]})
    if from_user in to_users:
        raise ValidationFailed(_("The accounts cannot move to the same person."),
                               errors={"to_users": [_("The accounts cannot move to the same person.")]})
    for user in to_users:
        _check_holder(user, role)
    seats = AccountTeamMember.objects.filter(user=from_user, role=role)
    accounts = list(Account.objects.filter(pk__in=seats.values("account_id")).order_by("name", "id"))
    changeable = set(restrict(Account.objects.filter(pk__in=[a.pk for a in accounts]), actor, Action.CHANGE)
                     .values_list("pk", flat=True))
    if len(changeable) != len(accounts):
        raise PermissionDenied(_("You may not change %(count)s of these accounts; nothing was moved.")
                               % {"count": len(accounts) - len(changeable)})
    per_user: dict[str, int] = {user.email: 0 for user in to_users}
    summary = reason or _("Bulk reassignment from %(user)s") % {"user": from_user}
    with transaction.atomic():
        for index, account in enumerate(accounts):
            target = to_users[index % len(to_users)]
            _assign_locked(actor=actor, account=account, role=role, user=target, reason=summary)
            per_user[target.email] += 1
    return ReassignmentResult(moved=len(accounts), per_user=per_user)
