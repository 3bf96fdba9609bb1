"""Reads for the permission editor and "explain access"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import QuerySet

from tandem.access.decide import ActionExplanation, FieldAccess, explain, field_access
from tandem.access.models import FieldGroupPermission, Permission
from tandem.access.registry import Resource, all_resources, get_resource
from tandem.core.exceptions import NotFound, ValidationFailed
from tandem.identity.models import Role, User


@dataclass(frozen=True)
class Cell:
    action: str
    scope: str | None
    input_name: str


@dataclass(frozen=True)
class GroupCell:
    name: str
    can_read: bool
    can_write: bool
    input_name: str


@dataclass(frozen=True)
class MatrixRow:
    role_code: str
    role_name: str
    cells: list[Cell]
    field_groups: list[GroupCell]


@dataclass(frozen=True)
class MatrixSection:
    resource: str
    label: Any
    has_records: bool
    actions: tuple[str, ...]
    field_group_names: list[str]
    rows: list[MatrixRow]


@dataclass(frozen=True)
class PolicyMatrix:
    sections: list[MatrixSection]


def policy_matrix() -> PolicyMatrix:
    roles = list(Role.objects.all())
    rules = {(p.role_id, p.resource, p.action): p.scope for p in Permission.objects.all()}
    groups = {(g.role_id, g.resource, g.field_group): g for g in FieldGroupPermission.objects.all()}
    sections = []
    for resource in all_resources():
        group_names = sorted({name for (_r, res, name) in groups if res == resource.name}
                             | set(resource.field_groups))
        rows = []
        for role in roles:
            cells = [Cell(action, rules.get((role.pk, resource.name, action)),
                          f"rule-{role.code}-{resource.name}-{action}") for action in resource.actions]
            group_cells = []
            for name in group_names:
                row = groups.get((role.pk, resource.name, name))
                group_cells.append(GroupCell(name, bool(row and row.can_read), bool(row and row.can_write),
                                             f"group-{role.code}-{resource.name}-{name}"))
            rows.append(MatrixRow(role.code, role.name, cells, group_cells))
        sections.append(MatrixSection(resource.name, resource.label, resource.has_records, resource.actions,
                                      group_names, rows))
    return PolicyMatrix(sections)


def policy_rows() -> QuerySet[Permission]:
    return Permission.objects.select_related("role").order_by("resource", "role__position", "action")


def explainable_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("full_name")


def explainable_resources() -> list[Resource]:
    return all_resources()


@dataclass(frozen=True)
class ExplainResult:
    user: User
    resource: Resource
    record: Any
    actions: list[ActionExplanation]
    field_groups: list[tuple[str, FieldAccess]]
    roles: list[str]


def explain_access(*, user_key: str, resource: str, record_public_id: str = "") -> ExplainResult:
    """For a user (public id or email), a resource and optionally one record: every action's decision."""
    user = User.objects.filter(public_id=user_key).first() or User.objects.filter(email=user_key.lower()).first()
    if user is None:
        raise ValidationFailed("Unknown user.", errors={"user": ["Unknown user."]})
    try:
        target = get_resource(resource)
    except LookupError:
        raise ValidationFailed("Unknown resource.", errors={"resource": ["Unknown resource."]}) from None
    record = None
    if record_public_id:
        if not target.has_records:
            raise ValidationFailed("This resource has no records.", errors={"record": ["No records."]})
        model = apps.get_model(str(target.model_label))
        record = model._default_manager.filter(public_id=record_public_id).first()
        if record is None:
            raise NotFound("No such record.")
    actions = explain(user, record) if record is not None else explain(user, resource=target.name)
    group_names = sorted(set(FieldGroupPermission.objects.filter(resource=target.name)
                             .values_list("field_group", flat=True)) | set(target.field_groups))
    return ExplainResult(user, target, record, actions,
                         [(name, field_access(user, target.name, name)) for name in group_names],
                         sorted(user.roles.values_list("name", flat=True)))
