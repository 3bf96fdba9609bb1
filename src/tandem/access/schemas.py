from __future__ import annotations

from ninja import Field, Schema


class ActionDecisionOut(Schema):
    action: str
    allowed: bool
    role: str | None
    scope: str | None
    reason: str


class ProtectedFieldOut(Schema):
    name: str = Field(description="as records and audit entries name it, e.g. custom.contract_value")
    label: str


class FieldGroupOut(Schema):
    field_group: str
    can_read: bool
    can_write: bool
    fields: list[ProtectedFieldOut] = Field(description="the fields the group protects, e.g. custom fields in it")


class ExplainOut(Schema):
    user: str
    user_id: str
    resource: str
    record: str | None
    roles: list[str]
    actions: list[ActionDecisionOut]
    field_groups: list[FieldGroupOut]


class RuleOut(Schema):
    role: str
    resource: str
    action: str
    scope: str


class FieldGroupRuleOut(Schema):
    role: str
    resource: str
    field_group: str
    can_read: bool
    can_write: bool
