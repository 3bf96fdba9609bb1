"""Access API: explain a decision; read the policy."""

from __future__ import annotations

from typing import Any

from ninja import Router

from tandem.access import selectors
from tandem.access.decide import can
from tandem.access.schemas import ExplainOut, RuleOut
from tandem.api.auth import api_actor
from tandem.core.exceptions import PermissionDenied
from tandem.identity.requests import AuthedRequest

router = Router(tags=["access"])


def _require_policy_view(actor: Any) -> None:
    if not can(actor, "view", resource="access_policy"):
        raise PermissionDenied("You may not read the permission policy.")


@router.get("/explain", response=ExplainOut, operation_id="access_decision_explain")
def explain(request: AuthedRequest, user: str, resource: str = "account", record: str = "") -> dict[str, Any]:
    """Whether ``user`` (public id or email) may perform each action on ``resource`` (or one record), and why."""
    actor = api_actor(request, scope="users:read")
    _require_policy_view(actor)
    result = selectors.explain_access(user_key=user, resource=resource, record_public_id=record)
    return {
        "user": result.user.email, "resource": result.resource.name,
        "record": getattr(result.record, "public_id", None), "roles": result.roles,
        "actions": [{"action": a.action, "allowed": a.allowed, "role": a.role_code, "scope": a.scope,
                     "reason": a.reason} for a in result.actions],
        "field_groups": [{"field_group": name, "can_read": access.can_read, "can_write": access.can_write}
                         for name, access in result.field_groups],
    }


@router.get("/policy", response=list[RuleOut], operation_id="access_rule_list")
def policy(request: AuthedRequest) -> list[dict[str, Any]]:
    actor = api_actor(request, scope="users:read")
    _require_policy_view(actor)
    return [{"role": row.role.code, "resource": row.resource, "action": row.action, "scope": row.scope}
            for row in selectors.policy_rows()]
