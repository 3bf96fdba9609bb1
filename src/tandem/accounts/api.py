"""Accounts API: /api/v1/accounts."""

from __future__ import annotations

from typing import Any

from ninja import Query, Router
from ninja.responses import Status

from tandem.accounts import merge, rollups, selectors, services, team
from tandem.accounts.choices import LifecycleStage, Tier
from tandem.accounts.models import Account
from tandem.accounts.schemas import (
    AccountIn,
    AccountOut,
    AccountPage,
    AccountPatch,
    MergeIn,
    MergeOut,
    ReassignIn,
    ReassignOut,
    RollupOut,
    TeamSeatIn,
    TeamSeatOut,
)
from tandem.api.auth import api_actor
from tandem.api.pagination import paginate
from tandem.core.exceptions import NotFound, ValidationFailed
from tandem.customfields.lists import custom_filter_pairs
from tandem.customfields.selectors import readable_values
from tandem.identity import selectors as identity_selectors
from tandem.identity.models import User
from tandem.identity.requests import AuthedRequest

router = Router(tags=["accounts"])
NULLABLE_FIELDS = {"owner", "parent", "employee_band"}


def _out(account: Account, actor: Any) -> dict[str, Any]:
    owner = account.owner
    parent = account.parent
    return {
        "id": account.public_id,
        "custom": readable_values(actor=actor, resource="account", values=account.custom),
        "name": account.name,
        "domain": account.domain,
        "other_domains": account.other_domains,
        "industry": account.industry,
        "country": account.country,
        "employee_band": account.employee_band,
        "currency": account.currency,
        "tier": account.tier,
        "lifecycle_stage": account.lifecycle_stage,
        "parent": {"id": parent.public_id, "name": parent.name} if parent else None,
        "external_id": account.external_id,
        "status_flags": account.status_flags,
        "owner": {"id": owner.public_id, "email": owner.email, "full_name": owner.full_name} if owner else None,
        "team": account.team.name if account.team else None,
        "created_at": account.created_at,
        "updated_at": account.updated_at,
    }


def _owner(email: str | None) -> User | None:
    if not email:
        return None
    user = identity_selectors.user_get_by_email(email=email)
    if user is None or not user.is_active:
        raise ValidationFailed("Unknown owner.", errors={"owner": [f"No active user with email {email}."]})
    return user


def _parent(actor: Any, public_id: str | None) -> Account | None:
    if not public_id:
        return None
    try:
        return selectors.account_get(actor=actor, public_id=public_id)
    except NotFound:
        raise ValidationFailed("Unknown parent account.",
                               errors={"parent": [f"No visible account with id {public_id}."]}) from None


@router.get("", response=AccountPage, operation_id="accounts_account_list")
def account_list(request: AuthedRequest, limit: int | None = None, cursor: str | None = None,
                 q: str = "", tier: Tier | None = None, lifecycle_stage: LifecycleStage | None = None,
                 owner: str | None = None, parent: str | None = None, custom: list[str] = Query([]),
                 sort: str = "name") -> dict[str, Any]:
    """List visible accounts. ``custom=key:value`` filters by a custom field (repeatable); ``sort`` is
    name, -name, created, -created, updated, -updated or custom.<key> / -custom.<key>."""
    actor = api_actor(request, scope="accounts:read")
    custom_filters = custom_filter_pairs(custom)
    filters = selectors.AccountFilters(search=q, tier=tier or "", lifecycle_stage=lifecycle_stage or "",
                                       owner_email=owner or "", parent_public_id=parent or "", custom=custom_filters)
    accounts, ordering = selectors.account_sorted(actor=actor, accounts=selectors.account_list(actor=actor,
                                                                                               filters=filters),
                                                  sort=sort)
    page = paginate(accounts, ordering=ordering, limit=limit, cursor=cursor)
    return {"items": [_out(account, actor) for account in page.items], "next_cursor": page.next_cursor}


@router.post("", response={201: AccountOut}, operation_id="accounts_account_create")
def account_create(request: AuthedRequest, payload: AccountIn) -> Status:
    actor = api_actor(request, scope="accounts:write")
    fields = payload.dict(exclude={"name", "owner", "parent"})
    account = services.account_create(actor=actor, name=payload.name, owner=_owner(payload.owner),
                                      parent=_parent(actor, payload.parent), **fields)
    return Status(201, _out(account, actor))


@router.post("/team/reassign", response=ReassignOut, operation_id="accounts_team_reassign")
def team_reassign(request: AuthedRequest, payload: ReassignIn) -> dict[str, Any]:
    actor = api_actor(request, scope="accounts:write")
    from_user = identity_selectors.user_get_by_email(email=payload.from_user)
    if from_user is None:
        raise ValidationFailed("Unknown user.", errors={"from_user": [f"No user with email {payload.from_user}."]})
    to_users = [_owner(email) for email in payload.to_users]
    result = team.account_team_bulk_reassign(actor=actor, from_user=from_user, role_code=payload.role,
                                             to_users=[user for user in to_users if user], reason=payload.reason)
    return {"moved": result.moved, "per_user": result.per_user}


def _seat(member: Any) -> dict[str, Any]:
    user = member.user
    return {"role": member.role.code, "role_name": member.role.name,
            "user": {"id": user.public_id, "email": user.email, "full_name": user.full_name}}


@router.get("/{account_id}/team", response=list[TeamSeatOut], operation_id="accounts_team_list")
def team_list(request: AuthedRequest, account_id: str) -> list[dict[str, Any]]:
    actor = api_actor(request, scope="accounts:read")
    account = selectors.account_get(actor=actor, public_id=account_id)
    return [_seat(member) for member in selectors.account_team(actor=actor, account=account)]


@router.put("/{account_id}/team/{role}", response=list[TeamSeatOut], operation_id="accounts_team_assign")
def team_assign(request: AuthedRequest, account_id: str, role: str, payload: TeamSeatIn) -> list[dict[str, Any]]:
    actor = api_actor(request, scope="accounts:write")
    account = selectors.account_get(actor=actor, public_id=account_id)
    user = None
    if payload.user:
        user = identity_selectors.user_get_by_email(email=payload.user)
        if user is None:
            raise ValidationFailed("Unknown user.", errors={"user": [f"No user with email {payload.user}."]})
    team.account_team_assign(actor=actor, account=account, role_code=role, user=user, reason=payload.reason)
    return [_seat(member) for member in selectors.account_team(actor=actor, account=account)]


@router.get("/{account_id}/rollup", response=RollupOut, operation_id="accounts_account_rollup")
def account_rollup(request: AuthedRequest, account_id: str) -> dict[str, Any]:
    """Roll-up to this account from every visible account below it in the hierarchy."""
    actor = api_actor(request, scope="accounts:read")
    rollup = rollups.account_rollup(actor=actor, account=selectors.account_get(actor=actor, public_id=account_id))
    return {"accounts": len(rollup.account_ids), "descendants": rollup.descendants,
            "stages": [{"code": code, "label": str(label), "count": count} for code, label, count in rollup.stages],
            "tiers": [{"code": code, "label": str(label), "count": count} for code, label, count in rollup.tiers],
            "metrics": [{"key": key, "label": str(label), "value": value} for key, label, value in rollup.metrics]}


@router.get("/{account_id}", response=AccountOut, operation_id="accounts_account_get")
def account_get(request: AuthedRequest, account_id: str) -> dict[str, Any]:
    actor = api_actor(request, scope="accounts:read")
    return _out(selectors.account_get(actor=actor, public_id=account_id), actor)


@router.patch("/{account_id}", response=AccountOut, operation_id="accounts_account_update")
def account_update(request: AuthedRequest, account_id: str, payload: AccountPatch) -> dict[str, Any]:
    actor = api_actor(request, scope="accounts:write")
    account = selectors.account_get(actor=actor, public_id=account_id)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    if "owner" in changes:
        changes["owner"] = _owner(changes["owner"])
    if "parent" in changes:
        changes["parent"] = _parent(actor, changes["parent"])
    for name in list(changes):
        if changes[name] is None and name not in NULLABLE_FIELDS:
            raise ValidationFailed("This field cannot be null.", errors={name: ["May not be null."]})
    return _out(services.account_update(actor=actor, account=account, **changes), actor)


@router.delete("/{account_id}", response={204: None}, operation_id="accounts_account_delete")
def account_delete(request: AuthedRequest, account_id: str) -> Status:
    actor = api_actor(request, scope="accounts:write")
    services.account_delete(actor=actor, account=selectors.account_get(actor=actor, public_id=account_id))
    return Status(204, None)


@router.post("/{account_id}/merge", response=MergeOut, operation_id="accounts_account_merge")
def account_merge(request: AuthedRequest, account_id: str, payload: MergeIn) -> dict[str, Any]:
    """Fold the duplicate into this account: related records move, the duplicate is removed (audited)."""
    actor = api_actor(request, scope="accounts:write")
    kept = selectors.account_get(actor=actor, public_id=account_id)
    duplicate = selectors.account_get(actor=actor, public_id=payload.duplicate)
    record = merge.account_merge(actor=actor, kept=kept, removed=duplicate,
                                 choose_from_removed={field: True for field in payload.take_from_duplicate})
    kept = selectors.account_get(actor=actor, public_id=account_id)
    return {"account": _out(kept, actor), "removed_id": record.removed_public_id, "moved": record.moved}
