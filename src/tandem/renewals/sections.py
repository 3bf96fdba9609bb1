"""Where renewals show outside their own pages: the renewal specialist's home card (renewals due in 90 days)."""

from __future__ import annotations

from typing import Any

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.renewals import selectors

CARD_ROLES = ("renewal",)


def renewals_card(actor: Any) -> dict[str, Any] | None:
    if not can(actor, Action.VIEW, resource="subscription") or not actor.roles.filter(code__in=CARD_ROLES).exists():
        return None
    due = selectors.my_renewals_due(actor=actor, days=90)
    return {"rows": selectors.renewal_rows(due)}
