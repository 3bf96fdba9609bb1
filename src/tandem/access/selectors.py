"""Reads for the permission editor and "explain access"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from tandem.access.choices import Action
from tandem.access.decide import ActionExplanation, can, explain, field_access, restrict
from tandem.access.models import FieldGroupPermission, Permission
from tandem.access.registry import RecordField, Resource, all_resources, field_groups, get_resource
from tandem.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from tandem.identity.models import Role, User


@dataclass(frozen=True)
class RuleCell:
    """One select of the editor: ``scope`` is what the select shows, ``saved`` what was stored when the page
    was rendered (they differ only when a refused save is shown again)."""

    action: str
    action_label: Any
    scope: str | None
    saved: str | None
    input_name: str


@dataclass(frozen=True)
class GroupCell:
    field_group: str
    can_read: bool
    can_write: bool
    saved_read: bool
    saved_write: bool
    input_name: str


@dataclass(frozen=True)
class MatrixRow:
    role_code: str
    role_name: str
    cells: tuple[RuleCell, ...]
    field_groups: tuple[GroupCell, ...]


@dataclass(frozen=True)
class FieldGroupColumn:
    """A field group of the editor and the fields it protects (their labels), e.g. pricing: Contract value."""

    name: str
    field_labels: tuple[str, ...]


@dataclass(frozen=True)
class MatrixSection:
    resource: str
    label: Any
    has_records: bool
    actions: tuple[tuple[str, Any], ...]  # (code, label)
    field_groups: tuple[FieldGroupColumn, ...]
    rows: tuple[MatrixRow, ...]

    @property
    def field_group_names(self) -> tuple[str, ...]:
        return tuple(group.name for group in self.field_groups)


@dataclass(frozen=True)
class PolicyMatrix:
    sections: tuple[MatrixSection, ...]


def rule_input_name(role_code: str, resource: str, action: str) -> str:
    return f"rule-{role_code}-{resource}-{action}"


def group_input_name(role_code: str, resource: str, field_group: str) -> str:
    return f"group-{role_code}-{resource}-{field_group}"


def _action_label(action: str) -> Any:
    return Action(action).label if action in Action.values else action


def policy_matrix(*, actor: Any) -> PolicyMatrix:
    """The whole policy as the editor shows it: per resource, a row per role with a cell per action, and the
    resource's field groups — its own, those custom fields are put in, and those with rows — with the fields
    each protects. A fixed number of queries whatever the size (one more per resource with custom fields)."""
    if not can(actor, Action.VIEW, resource="access_policy"):
        raise NotFound(_("No such page."))
    roles = list(Role.objects.order_by("position", "code"))
    rules = {(row.role_id, row.resource, row.action): row.scope for row in Permission.objects.all()}
    groups = {(row.role_id, row.resource, row.field_group): row for row in FieldGroupPermission.objects.all()}
    sections = []
    # Records first (accounts, contacts, files), then the administration areas.
    for resource in sorted(all_resources(), key=lambda item: (not item.has_records, item.name)):
        columns = tuple(FieldGroupColumn(name, tuple(field.label for field in fields)) for name, fields in
                        field_groups(resource.name, existing={name for (_r, res, name) in groups
                                                              if res == resource.name}).items())
        names = tuple(column.name for column in columns)
        rows = []
        for role in roles:
            cells = tuple(
                RuleCell(action, _action_label(action), rules.get((role.pk, resource.name, action)),
                         rules.get((role.pk, resource.name, action)),
                         rule_input_name(role.code, resource.name, action))
                for action in resource.actions)
            group_cells = []
            for name in names:
                row = groups.get((role.pk, resource.name, name))
                read, write = bool(row and row.can_read), bool(row and row.can_write)
                group_cells.append(GroupCell(name, read, write, read, write,
                                             group_input_name(role.code, resource.name, name)))
            rows.append(MatrixRow(role.code, role.name, cells, tuple(group_cells)))
        sections.append(MatrixSection(resource.name, resource.label, resource.has_records,
                                      tuple((action, _action_label(action)) for action in resource.actions),
                                      columns, tuple(rows)))
    return PolicyMatrix(tuple(sections))


def policy_rows(*, actor: Any) -> QuerySet[Permission]:
    """Every permission rule, by resource, role and action."""
    if not can(actor, Action.VIEW, resource="access_policy"):
        raise PermissionDenied(_("You may not read the permission policy."))
    return Permission.objects.select_related("role").order_by("resource", "role__position", "role__code", "action")


def field_group_rows(*, actor: Any) -> QuerySet[FieldGroupPermission]:
    """Every field-group rule, by resource, group and role."""
    if not can(actor, Action.VIEW, resource="access_policy"):
        raise PermissionDenied(_("You may not read the permission policy."))
    return FieldGroupPermission.objects.select_related("role").order_by(
        "resource", "field_group", "role__position", "role__code")


def explainable_users(*, actor: Any) -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("full_name", "email")


def explainable_resources(*, actor: Any) -> list[Resource]:
    return all_resources()


@dataclass(frozen=True)
class FieldGroupExplanation:
    field_group: str
    can_read: bool
    can_write: bool
    read_roles: tuple[str, ...]  # names of the user's roles granting read
    write_roles: tuple[str, ...]
    fields: tuple[RecordField, ...] = ()  # the fields the group protects

    @property
    def field_labels(self) -> tuple[str, ...]:
        return tuple(field.label for field in self.fields)


@dataclass(frozen=True)
class AccessExplanation:
    user: User
    resource: Resource
    record: Any
    roles: tuple[str, ...]
    actions: tuple[ActionExplanation, ...]
    field_groups: tuple[FieldGroupExplanation, ...]


def explain_access(*, actor: Any, user_key: str, resource: str, record_public_id: str = "") -> AccessExplanation:
    """For a user (public id or email), a resource and optionally one record the actor can see: every
    action's decision with its reason, and the field groups. Only for actors who may view the policy."""
    if not can(actor, Action.VIEW, resource="access_policy"):
        raise PermissionDenied(_("You may not read the permission policy."))
    key = user_key.strip()
    user = User.objects.filter(Q(public_id=key) | Q(email__iexact=key)).prefetch_related("roles").first() \
        if key else None
    if user is None:
        raise ValidationFailed(_("Unknown user."), errors={"user": [_("No user has this id or email address.")]})
    try:
        target = get_resource(resource)
    except LookupError:
        raise ValidationFailed(_("Unknown resource."), errors={"resource": [_("Choose a resource from the list.")]}) \
            from None
    record = None
    record_public_id = record_public_id.strip()
    if record_public_id:
        if not target.has_records:
            raise ValidationFailed(_("This resource has no records."),
                                   errors={"record": [_("Leave the record empty for this resource.")]})
        model = apps.get_model(str(target.model_label))
        record = restrict(model._default_manager.all(), actor, Action.VIEW).filter(public_id=record_public_id).first()
        if record is None:
            raise NotFound(_("No such record."))
    actions = explain(user, record) if record is not None else explain(user, resource=target.name)
    rows = list(FieldGroupPermission.objects.filter(resource=target.name, role__users=user).select_related("role"))
    every_group = field_groups(target.name, existing=FieldGroupPermission.objects.filter(resource=target.name)
                               .values_list("field_group", flat=True).distinct())
    groups = []
    for name, fields in every_group.items():
        access = field_access(user, target.name, name)
        groups.append(FieldGroupExplanation(
            name, access.can_read, access.can_write,
            tuple(row.role.name for row in rows if row.field_group == name and (row.can_read or row.can_write)),
            tuple(row.role.name for row in rows if row.field_group == name and row.can_write), fields))
    return AccessExplanation(user, target, record, tuple(role.name for role in user.roles.all()), tuple(actions),
                             tuple(groups))

