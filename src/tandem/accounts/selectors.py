"""Reads for accounts. Every read is scoped by the access module before rows are fetched."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from tandem.access.choices import Action
from tandem.access.decide import restrict
from tandem.accounts.models import Account
from tandem.core.exceptions import NotFound


def account_list(*, actor: Any, action: str = Action.VIEW, search: str = "") -> QuerySet[Account]:
    """The accounts ``actor`` may ``action`` (view by default), optionally filtered by name/domain."""
    accounts = restrict(Account.objects.select_related("owner", "team"), actor, action)
    if search:
        accounts = accounts.filter(Q(name__icontains=search) | Q(domain__icontains=search))
    return accounts


def account_get(*, actor: Any, public_id: str) -> Account:
    """The account, or NotFound when it does not exist or ``actor`` may not see it."""
    account = account_list(actor=actor).filter(public_id=public_id).first()
    if account is None:
        raise NotFound("No such account.")
    return account


def account_team(*, actor: Any, account: Account) -> list[Any]:
    """The account team of a visible account, ordered by role."""
    return list(
        account.team_members.select_related("user", "role").order_by("role__position", "user__full_name")
    )
