"""Identity API: /api/v1/me."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from tandem.identity.schemas import MeOut

router = Router(tags=["identity"])


@router.get("/me", response=MeOut, operation_id="identity_me_get")
def me_get(request: HttpRequest) -> dict[str, Any]:
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
