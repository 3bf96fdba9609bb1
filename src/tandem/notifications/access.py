"""Access for notifications. A person's inbox, preferences and follows are theirs alone (the selectors filter by
the acting user, so nobody else's row is ever fetched); records are followed and linked through the access
module. The one administrative resource is the delivery outbox: who may see failed deliveries and retry them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tandem.access.registry import Resource, register_resource


def register() -> None:
    register_resource(Resource(name="notification_delivery", label=_("notification deliveries"),
                               actions=("view", "change")))
