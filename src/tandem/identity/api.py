"""Identity API: /api/v1/me, users, teams and roles (read-only; administration happens in the UI)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy
from ninja import Router

from tandem.access.decide import can
from tandem.api.auth import api_actor
from tandem.api.pagination import paginate
from tandem.core.exceptions import PermissionDenied
from tandem.identity import selectors
from tandem.identity.requests import AuthedRequest
from tandem.identity.schemas import MeOut, RoleOut, TeamOut, UserOut, UserPage

router = Router(tags=["identity"])


@router.get("/me", response=MeOut, operation_id="identity_me_get")
def me_get(request: AuthedRequest) -> dict[str, Any]:
    user = request.user
    token = getattr(request, "api_token", None)
    return {
        "id": user.public_id,
        "email": user.email,
        "full_name": user.full_name,
        "time_zone": user.time_zone,
        "language": user.language,
        "roles": sorted(user.roles.values_list("code", flat=True)),
        "teams": [{"id": team.public_id, "name": team.name} for team in user.teams.all()],
        "token_scopes": list(token.scopes) if token is not None else None,
        "date_joined": user.date_joined,
    }


READ_REFUSALS = {"user": gettext_lazy("You may not read users."), "team": gettext_lazy("You may not read teams.")}


def _require(actor: Any, resource: str) -> None:
    if not can(actor, "view", resource=resource):
        raise PermissionDenied(str(READ_REFUSALS[resource]))


def _user_out(user: Any) -> dict[str, Any]:
    return {"id": user.public_id, "email": user.email, "full_name": user.full_name, "is_active": user.is_active,
            "roles": sorted(role.code for role in user.roles.all()), "teams": sorted(t.name for t in user.teams.all()),
            "time_zone": user.time_zone, "last_login": user.last_login}


@router.get("/users", response=UserPage, operation_id="identity_user_list")
def user_list(request: AuthedRequest, limit: int | None = None, cursor: str | None = None, q: str = "",
              active: bool | None = None) -> dict[str, Any]:
    actor = api_actor(request, scope="users:read")
    _require(actor, "user")
    users = selectors.user_directory(actor=actor, search=q, active=active)
    page = paginate(users, ordering=("full_name", "id"), limit=limit, cursor=cursor)
    return {"items": [_user_out(user) for user in page.items], "next_cursor": page.next_cursor}


@router.get("/users/{user_id}", response=UserOut, operation_id="identity_user_get")
def user_get(request: AuthedRequest, user_id: str) -> dict[str, Any]:
    actor = api_actor(request, scope="users:read")
    return _user_out(selectors.user_get(actor=actor, public_id=user_id))


@router.get("/teams", response=list[TeamOut], operation_id="identity_team_list")
def team_list(request: AuthedRequest) -> list[dict[str, Any]]:
    actor = api_actor(request, scope="users:read")
    _require(actor, "team")
    return [{"id": team.public_id, "name": team.name, "manager": team.manager.email if team.manager else None,
             "members": sorted(member.email for member in team.members.all())} for team in selectors.team_list()]


@router.get("/roles", response=list[RoleOut], operation_id="identity_role_list")
def role_list(request: AuthedRequest) -> list[dict[str, Any]]:
    api_actor(request, scope="users:read")
    return [{"code": role.code, "name": role.name, "description": role.description,
             "requires_two_factor": role.requires_two_factor} for role in selectors.role_list()]
