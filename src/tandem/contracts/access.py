"""Access resources of the contracts app.

* ``subscription`` — records; visibility follows the account (you see a subscription when you see its account
  within your scope). Field group ``pricing``: unit prices, discount, term and add-on prices.
* ``catalog`` — no records: products, price books and their prices, exchange rates.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.access.registry import Resource, get_resource, register_resource

PRICING_FIELDS = ("unit_price", "discount_percent", "term_months", "add_ons")


def _via_account(scope_name: str) -> Any:
    def condition(user: Any) -> Q:
        from tandem.accounts.models import Account

        account_resource = get_resource("account")
        scope_filter = account_resource.own if scope_name == "own" else account_resource.team
        assert scope_filter is not None
        return Q(account_id__in=Account.objects.filter(scope_filter(user)).values("pk"))

    return condition


def register() -> None:
    register_resource(Resource(name="subscription", label=_("subscriptions"), model_label="contracts.Subscription",
                               own=_via_account("own"), team=_via_account("team"),
                               field_groups={"pricing": PRICING_FIELDS}))
    register_resource(Resource(name="catalog", label=_("product catalog and exchange rates"),
                               actions=("view", "change")))
