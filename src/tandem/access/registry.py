"""Resources the access module knows about.

Each app registers its resources once (in its AppConfig.ready): the model, how the
``own`` and ``team`` scopes translate to SQL, and its field groups. The access
module never imports the apps; the apps import it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

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


FieldGroupSource = Callable[[str], Iterable[str]]
_FIELD_GROUP_SOURCES: list[FieldGroupSource] = []


def register_field_group_source(source: FieldGroupSource) -> None:
    """Apps whose records define field groups at run time (custom fields put in a group) register a
    function ``resource name -> group names`` so the permission editor offers those groups too."""
    if source not in _FIELD_GROUP_SOURCES:
        _FIELD_GROUP_SOURCES.append(source)


def field_group_names(resource_name: str, *, existing: Iterable[str] = ()) -> list[str]:
    """Every field group of a resource: registered ones, those named by registered sources, and ``existing``
    (the groups that already have permission rows)."""
    names = set(get_resource(resource_name).field_groups) | set(existing)
    for source in _FIELD_GROUP_SOURCES:
        names.update(source(resource_name))
    return sorted(name for name in names if name)
