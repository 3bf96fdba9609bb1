"""Reads for accounts. Every read is scoped by the access module before rows are fetched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from tandem.access.choices import Action
from tandem.access.decide import restrict
from tandem.accounts.choices import TEAM_ROLE_CODES
from tandem.accounts.models import Account, AccountMerge, AccountStageChange, AccountTeamChange, SavedView
from tandem.audit.models import AuditEntry
from tandem.core.exceptions import NotFound
from tandem.customfields.queries import apply_custom_filters, sorted_by
from tandem.customfields.selectors import readable_fields


@dataclass(frozen=True)
class AccountFilters:
    search: str = ""
    tier: str = ""
    lifecycle_stage: str = ""
    owner_email: str = ""
    parent_public_id: str = ""
    custom: tuple[tuple[str, str], ...] = ()


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
    if filters.custom:
        readable = {f.key for f in readable_fields(actor=actor, resource="account")}
        accounts = apply_custom_filters(accounts, resource="account", filters=filters.custom, readable=readable)
    return accounts


SORTS = {"name": ("name", "id"), "-name": ("-name", "-id"), "created": ("created_at", "id"),
         "-created": ("-created_at", "-id"), "updated": ("updated_at", "id"), "-updated": ("-updated_at", "-id")}


def account_sorted(*, actor: Any, accounts: QuerySet[Account], sort: str) -> tuple[QuerySet[Account], tuple[str, ...]]:
    """The queryset and keyset ordering for ``sort``: a built-in key or ``custom.<key>`` (``-`` for descending)."""
    return sorted_by(accounts, actor=actor, resource="account", sort=sort, sorts=SORTS, default="name")


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


def account_team_history(*, actor: Any, account: Account) -> QuerySet[AccountTeamChange]:
    """Who held which role on a visible account, newest change first."""
    return account.team_changes.select_related("role", "from_user", "to_user", "changed_by")


def team_seat_candidates(*, actor: Any) -> dict[str, list[Any]]:
    """For each team role code, the active users holding it (for the team editor's selects)."""
    from tandem.identity.models import User

    candidates: dict[str, list[Any]] = {code: [] for code in TEAM_ROLE_CODES}
    users = User.objects.filter(is_active=True, roles__code__in=TEAM_ROLE_CODES).values_list(
        "roles__code", "pk", "full_name", "email").order_by("full_name")
    for code, pk, full_name, email in users:
        if code in candidates:
            candidates[code].append({"pk": pk, "label": full_name or email})
    return candidates


def account_people(*, actor: Any) -> QuerySet[Any]:
    """Active users by name: the choices of the owner and team-member filters of the lists."""
    from tandem.identity.models import User

    return User.objects.filter(is_active=True).order_by("full_name", "email")


def team_roles() -> QuerySet[Any]:
    from tandem.identity.models import Role

    return Role.objects.filter(code__in=TEAM_ROLE_CODES).order_by("position")


def accounts_held(*, actor: Any, user: Any, role_code: str) -> QuerySet[Account]:
    """Visible accounts where ``user`` holds ``role_code``."""
    return account_list(actor=actor).filter(team_members__user=user, team_members__role__code=role_code)


def account_history(*, actor: Any, account: Account) -> QuerySet[AuditEntry]:
    """Audit entries of a visible account, including those of duplicates merged into it."""
    ids = [str(account.pk), *(str(pk) for pk in account.merges.values_list("removed_pk", flat=True))]
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Account),
                                     object_id__in=ids).select_related("actor")


def account_merges(*, actor: Any, account: Account) -> QuerySet[AccountMerge]:
    return account.merges.select_related("merged_by")


def saved_view_list(*, actor: Any, resource: str) -> QuerySet[SavedView]:
    """The actor's own views plus those shared with a team the actor belongs to or manages."""
    teams = Q(team__members=actor.pk) | Q(team__manager_id=actor.pk)
    return SavedView.objects.filter(Q(owner_id=actor.pk) | teams, resource=resource).select_related(
        "owner", "team").distinct()
