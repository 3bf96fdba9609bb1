"""Accounts API: /api/v1/accounts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from tandem.accounts import selectors, services
from tandem.accounts.models import Account
from tandem.accounts.schemas import AccountIn, AccountOut, AccountPage, AccountPatch
from tandem.api.auth import api_actor
from tandem.api.pagination import paginate
from tandem.core.exceptions import ValidationFailed
from tandem.identity import selectors as identity_selectors
from tandem.identity.models import User

router = Router(tags=["accounts"])


def _out(account: Account) -> dict[str, Any]:
    owner = account.owner
    return {
        "id": account.public_id,
        "name": account.name,
        "domain": account.domain,
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


@router.get("", response=AccountPage, operation_id="accounts_account_list")
def account_list(request: HttpRequest, limit: int | None = None, cursor: str | None = None,
                 q: str = "") -> dict[str, Any]:
    actor = api_actor(request, scope="accounts:read")
    page = paginate(selectors.account_list(actor=actor, search=q), ordering=("name", "id"),
                    limit=limit, cursor=cursor)
    return {"items": [_out(account) for account in page.items], "next_cursor": page.next_cursor}


@router.post("", response={201: AccountOut}, operation_id="accounts_account_create")
def account_create(request: HttpRequest, payload: AccountIn) -> tuple[int, dict[str, Any]]:
    actor = api_actor(request, scope="accounts:write")
    account = services.account_create(actor=actor, name=payload.name, domain=payload.domain,
                                      owner=_owner(payload.owner))
    return 201, _out(account)


@router.get("/{account_id}", response=AccountOut, operation_id="accounts_account_get")
def account_get(request: HttpRequest, account_id: str) -> dict[str, Any]:
    actor = api_actor(request, scope="accounts:read")
    return _out(selectors.account_get(actor=actor, public_id=account_id))


@router.patch("/{account_id}", response=AccountOut, operation_id="accounts_account_update")
def account_update(request: HttpRequest, account_id: str, payload: AccountPatch) -> dict[str, Any]:
    actor = api_actor(request, scope="accounts:write")
    account = selectors.account_get(actor=actor, public_id=account_id)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    if "owner" in changes:
        changes["owner"] = _owner(changes["owner"])
    if changes.get("name") is None:
        changes.pop("name", None)
    if changes.get("domain") is None:
        changes.pop("domain", None)
    return _out(services.account_update(actor=actor, account=account, **changes))


@router.delete("/{account_id}", response={204: None}, operation_id="accounts_account_delete")
def account_delete(request: HttpRequest, account_id: str) -> tuple[int, None]:
    actor = api_actor(request, scope="accounts:write")
    services.account_delete(actor=actor, account=selectors.account_get(actor=actor, public_id=account_id))
    return 204, None
