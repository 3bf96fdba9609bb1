"""Writes for accounts: authorise → validate → write → audit, in one transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts.models import Account
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_created, audit_deleted, audit_record, diff, snapshot
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.identity.models import Team, User

AUDITED_FIELDS = ("name", "domain", "owner", "team")


def _validated(account: Account) -> None:
    try:
        account.full_clean()
    except ValidationError as error:
        raise ValidationFailed("The account is invalid.", errors=error.message_dict) from None


def account_create(
    *, actor: Any, name: str, domain: str = "", owner: User | None = None, team: Team | None = None
) -> Account:
    if not can(actor, Action.CREATE, resource="account"):
        raise PermissionDenied("You may not create accounts.")
    account = Account(name=name.strip(), domain=domain.strip().lower(), owner=owner, team=team)
    if account.owner is None and getattr(actor, "pk", None) and not getattr(actor, "is_system", False):
        account.owner = actor
    _validated(account)
    with transaction.atomic():
        account.save()
        audit_created(actor=actor, obj=account, fields=AUDITED_FIELDS)
    return account


def account_update(*, actor: Any, account: Account, **changes: Any) -> Account:
    """Change the given fields (any of name, domain, owner, team)."""
    unknown = set(changes) - set(AUDITED_FIELDS)
    if unknown:
        raise ValidationFailed("Unknown fields.", errors={name: ["Unknown field."] for name in unknown})
    if not can(actor, Action.CHANGE, account):
        raise PermissionDenied("You may not change this account.")
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        before = snapshot(locked, AUDITED_FIELDS)
        for name, value in changes.items():
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
        if "domain" in changes:
            locked.domain = locked.domain.lower()
        _validated(locked)
        changed = diff(before, snapshot(locked, AUDITED_FIELDS))
        if changed:
            locked.save()
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=locked, changes=changed)
    return locked


def account_delete(*, actor: Any, account: Account) -> None:
    if not can(actor, Action.DELETE, account):
        raise PermissionDenied("You may not delete this account.")
    with transaction.atomic():
        audit_deleted(actor=actor, obj=account, fields=AUDITED_FIELDS)
        account.delete()
