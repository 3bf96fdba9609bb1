"""Access resources of the contracts app.

* ``subscription`` — records; visibility follows the account (you see a subscription when you see its account
  within your scope). Field group ``pricing``: unit prices, discount, term and add-on prices.
* ``catalog`` — no records: products, price books and their prices, exchange rates.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.access.registry import (
    RecordField,
    Resource,
    get_resource,
    register_field_group_source,
    register_resource,
)

PRICING_FIELDS = ("unit_price", "discount_percent", "term_months", "mrr")


def _via_account(scope_name: str) -> Any:
    def condition(user: Any) -> Q:
        from tandem.accounts.models import Account

        account_resource = get_resource("account")
        scope_filter = account_resource.own if scope_name == "own" else account_resource.team
        assert scope_filter is not None
        return Q(account_id__in=Account.objects.filter(scope_filter(user)).values("pk"))

    return condition


def _add_on_prices(resource_name: str) -> list[RecordField]:
    """The add-on lines (and their prices) are a relation, not a column: name them for the permission editor."""
    return [RecordField("add_ons", str(_("Add-on prices")), "pricing")] if resource_name == "subscription" else []


def register() -> None:
    register_resource(Resource(name="subscription", label=_("subscriptions"), model_label="contracts.Subscription",
                               own=_via_account("own"), team=_via_account("team"),
                               field_groups={"pricing": PRICING_FIELDS}))
    register_field_group_source(_add_on_prices)
    register_resource(Resource(name="catalog", label=_("product catalog and exchange rates"),
                               actions=("view", "change")))
