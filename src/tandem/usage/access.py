"""Product usage: a resource without records. ``create`` is sending events (the batch API, the importer);
``view`` is seeing the usage summaries of accounts one can already see."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tandem.access.registry import Resource, register_resource


def register() -> None:
    register_resource(Resource(name="usage_event", label=_("product usage"), actions=("view", "create")))
