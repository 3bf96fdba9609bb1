"""Resources the access module knows about.

Each app registers its resources once (in its AppConfig.ready): the model, how the
``own`` and ``team`` scopes translate to SQL, and its field groups. The access
module never imports the apps; the apps import it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q

ScopeFilter = Callable[[Any], Q]


@dataclass(frozen=True)
class Resource:
    name: str
    label: Any  # a lazily translated string
    model_label: str | None = None  # "accounts.Account"; None for resources without records
    own: ScopeFilter | None = None  # user -> Q of the records the user owns or is assigned to
    team: ScopeFilter | None = None  # user -> Q of the records of the user's teams
    field_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    actions: tuple[str, ...] = ("view", "create", "change", "delete", "export")

    @property
    def has_records(self) -> bool:
        return self.model_label is not None


_RESOURCES: dict[str, Resource] = {}


def register_resource(resource: Resource) -> None:
    _RESOURCES[resource.name] = resource


def get_resource(name: str) -> Resource:
    try:
        return _RESOURCES[name]
    except KeyError:
        raise LookupError(f"Unknown access resource {name!r}") from None


def all_resources() -> list[Resource]:
    return sorted(_RESOURCES.values(), key=lambda resource: resource.name)


def resource_for_model(model: Any) -> Resource:
    label = model._meta.label
    for resource in _RESOURCES.values():
        if resource.model_label == label:
            return resource
    raise LookupError(f"No access resource registered for {label}")


@dataclass(frozen=True)
class RecordField:
    """A field of a resource's records that another app defines at run time (a custom field), with the field
    group protecting it ("" for none). ``name`` is how records and audit diffs name it
    (``custom.contract_value``), ``label`` how people know it."""

    name: str
    label: str
    field_group: str = ""


FieldGroupSource = Callable[[str], Iterable[RecordField]]
_FIELD_GROUP_SOURCES: list[FieldGroupSource] = []


def register_field_group_source(source: FieldGroupSource) -> None:
    """Apps whose records define fields at run time (custom fields, which may be put in a field group) register
    a function ``resource name -> its fields`` so the permission editor and "explain access" offer those groups
    too, and record histories can leave out what a reader may not see."""
    if source not in _FIELD_GROUP_SOURCES:
        _FIELD_GROUP_SOURCES.append(source)


def sourced_fields(resource_name: str) -> list[RecordField]:
    """The fields registered sources define on ``resource_name``, grouped or not."""
    return [item for source in _FIELD_GROUP_SOURCES for item in source(resource_name)]


def field_groups(resource_name: str, *, existing: Iterable[str] = ()) -> dict[str, tuple[RecordField, ...]]:
    """Every field group of a resource, by name, with the fields it protects: the resource's own groups
    (fields labelled by the model's verbose names), the groups fields of registered sources are in, and
    ``existing`` (the groups that already have permission rows, perhaps protecting nothing now)."""
    resource = get_resource(resource_name)
    model = apps.get_model(resource.model_label) if resource.model_label else None
    members: dict[str, list[RecordField]] = {name: [] for name in existing if name}
    for group, names in resource.field_groups.items():
        members.setdefault(group, []).extend(RecordField(name, str(_verbose_name(model, name)), group)
                                             for name in names)
    for item in sourced_fields(resource_name):
        if item.field_group:
            members.setdefault(item.field_group, []).append(item)
    return {group: tuple(members[group]) for group in sorted(members)}


def _verbose_name(model: Any, name: str) -> Any:
    try:
        return model._meta.get_field(name).verbose_name if model is not None else name
    except FieldDoesNotExist:
        return name


def field_group_names(resource_name: str, *, existing: Iterable[str] = ()) -> list[str]:
    """Every field group of a resource: registered ones, those fields of registered sources are in, and
    ``existing`` (the groups that already have permission rows)."""
    return list(field_groups(resource_name, existing=existing))
