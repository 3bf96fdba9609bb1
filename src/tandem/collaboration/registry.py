"""Which records can be commented on. Apps register their models at start-up (AppConfig.ready):

    register_commentable(Ticket, "ticket", url_for=lambda t: reverse(...), title_for=str, noun=_("ticket"))

``resource_name`` is the access resource deciding who sees the record (a comment is readable and writable by
whoever may view its record); ``url_for`` gives the page where the record's comments are shown (the comment's
anchor ``#comment-<id>`` is appended); ``title_for`` names the record in notifications."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model


@dataclass(frozen=True)
class Commentable:
    model: type[Model]
    resource_name: str
    url_for: Callable[[Any], str]
    title_for: Callable[[Any], str]
    noun: Any  # "account", "contact" … (lazily translated), for messages such as "Lee cannot see this account"


_BY_RESOURCE: dict[str, Commentable] = {}


def register_commentable(model: type[Model], resource_name: str, url_for: Callable[[Any], str],
                         title_for: Callable[[Any], str], noun: Any = None) -> None:
    _BY_RESOURCE[resource_name] = Commentable(model=model, resource_name=resource_name, url_for=url_for,
                                              title_for=title_for, noun=noun or resource_name)


def commentable(resource_name: str) -> Commentable:
    """The registration of ``resource_name``; LookupError when its records cannot be commented on."""
    try:
        return _BY_RESOURCE[resource_name]
    except KeyError:
        raise LookupError(f"{resource_name!r} records cannot be commented on") from None


def commentable_for_model(model: type[Model]) -> Commentable:
    for item in _BY_RESOURCE.values():
        if item.model._meta.label == model._meta.label:
            return item
    raise LookupError(f"{model._meta.label} records cannot be commented on")


def all_commentables() -> list[Commentable]:
    return sorted(_BY_RESOURCE.values(), key=lambda item: item.resource_name)
