"""Resources the access module knows about.

Each app registers its resources once (in its AppConfig.ready): the model, how the
``own`` and ``team`` scopes translate to SQL, and its field groups. The access
module never imports the apps; the apps import it.
"""

from __future__ import annotations

from collections.abc import Callable
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
