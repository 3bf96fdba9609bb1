"""Access API: explain a decision; read the policy (rules and field groups)."""

from __future__ import annotations

from typing import Any

from ninja import Router

from tandem.access import selectors
from tandem.access.schemas import ExplainOut, FieldGroupRuleOut, RuleOut
from tandem.api.auth import api_actor
from tandem.identity.requests import AuthedRequest

router = Router(tags=["access"])


@router.get("/explain", response=ExplainOut, operation_id="access_decision_explain")
def explain(request: AuthedRequest, user: str, resource: str = "account", record: str = "") -> dict[str, Any]:
    """Whether ``user`` (public id or email) may perform each action on ``resource`` — or on one ``record``
    (its public id) — which role and scope decided, and why. Needs "view" on the permission policy."""
    actor = api_actor(request, scope="users:read")
    result = selectors.explain_access(actor=actor, user_key=user, resource=resource, record_public_id=record)
    return {
        "user": result.user.email, "user_id": result.user.public_id, "resource": result.resource.name,
        "record": getattr(result.record, "public_id", None), "roles": list(result.roles),
        "actions": [{"action": item.action, "allowed": item.allowed, "role": item.role_code, "scope": item.scope,
                     "reason": item.reason} for item in result.actions],
        "field_groups": [{"field_group": group.field_group, "can_read": group.can_read, "can_write": group.can_write,
                          "fields": [{"name": field.name, "label": field.label} for field in group.fields]}
                         for group in result.field_groups],
    }


@router.get("/policy", response=list[RuleOut], operation_id="access_rule_list")
def policy(request: AuthedRequest) -> list[dict[str, Any]]:
    """Every permission rule: role × resource × action → scope (own, team or all). No row means denied."""
    actor = api_actor(request, scope="users:read")
    return [{"role": row.role.code, "resource": row.resource, "action": row.action, "scope": row.scope}
            for row in selectors.policy_rows(actor=actor)]


@router.get("/field-groups", response=list[FieldGroupRuleOut], operation_id="access_fieldgroup_list")
def field_groups(request: AuthedRequest) -> list[dict[str, Any]]:
    """Every field-group rule: role × resource × field group → read, write."""
    actor = api_actor(request, scope="users:read")
    return [{"role": row.role.code, "resource": row.resource, "field_group": row.field_group,
             "can_read": row.can_read, "can_write": row.can_write}
            for row in selectors.field_group_rows(actor=actor)]
