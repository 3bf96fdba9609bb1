"""Records other apps own, seen generically: by access resource name and public id, never by importing the app.

A record can be followed and linked from a notification when its model is registered with the access module
(``access.registry``) and has a ``public_id``; its page is ``<app>:<model>-detail`` (STYLE.md's URL names) unless
the model defines ``get_absolute_url``."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Model
from django.urls import NoReverseMatch, reverse

from tandem.access.choices import Action
from tandem.access.decide import restrict
from tandem.access.registry import get_resource, resource_for_model
from tandem.core.exceptions import NotFound


def record_type(obj: Model) -> str:
    """The access resource name of ``obj`` ("account", "contact", …)."""
    return resource_for_model(type(obj)).name


def record_url(obj: Model) -> str:
    absolute = getattr(obj, "get_absolute_url", None)
    if callable(absolute):
        return str(absolute())
    meta = obj._meta
    try:
        return reverse(f"{meta.app_label}:{meta.model_name}-detail", args=[obj.public_id])  # type: ignore[attr-defined]
    except (NoReverseMatch, AttributeError):
        return ""


def record_get(*, actor: Any, object_type: str, object_id: str) -> Model:
    """The record of resource ``object_type`` with public id ``object_id``, if ``actor`` may see it."""
    try:
        resource = get_resource(object_type)
    except LookupError:
        raise NotFound("No such record.") from None
    if not resource.model_label:
        raise NotFound("No such record.")
    model: Any = apps.get_model(resource.model_label)
    if not any(field.name == "public_id" for field in model._meta.concrete_fields):
        raise NotFound("No such record.")
    record = restrict(model._default_manager.all(), actor, Action.VIEW).filter(public_id=object_id).first()
    if record is None:
        raise NotFound("No such record.")
    return record
