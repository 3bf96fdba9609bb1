"""Reads for accounts. Every read is scoped by the access module before rows are fetched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from tandem.access.choices import Action
from tandem.access.decide import restrict
from tandem.accounts.models import Account, AccountStageChange
from tandem.core.exceptions import NotFound


@dataclass(frozen=True)
class AccountFilters:
    search: str = ""
    tier: str = ""
    lifecycle_stage: str = ""
    owner_email: str = ""
    parent_public_id: str = ""


def account_list(*, actor: Any, action: str = Action.VIEW, search: str = "",
                 filters: AccountFilters | None = None) -> QuerySet[Account]:
    """The accounts ``actor`` may ``action`` (view by default), filtered."""
    filters = filters or AccountFilters(search=search)
    accounts = restrict(Account.objects.select_related("owner", "team", "parent"), actor, action)
    if filters.search:
        term = filters.search
        accounts = accounts.filter(Q(name__icontains=term) | Q(domain__icontains=term))
    if filters.tier:
        accounts = accounts.filter(tier=filters.tier)
    if filters.lifecycle_stage:
        accounts = accounts.filter(lifecycle_stage=filters.lifecycle_stage)
    if filters.owner_email:
        accounts = accounts.filter(owner__email=filters.owner_email.strip().lower())
    if filters.parent_public_id:
        accounts = accounts.filter(parent__public_id=filters.parent_public_id)
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


def account_children(*, actor: Any, account: Account) -> QuerySet[Account]:
    """The visible direct children of ``account``."""
    return account_list(actor=actor).filter(parent=account)


def account_stage_history(*, actor: Any, account: Account) -> QuerySet[AccountStageChange]:
    """Lifecycle-stage changes of a visible account, newest first."""
    return account.stage_changes.select_related("changed_by")
