"""Where the pipeline shows outside its own pages: the Account 360 section "Opportunities" (open and recently
closed) and the home cards — an SDR's leads to call and an AE's (or AM's, renewal specialist's) opportunities
closing this month."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from tandem.access.choices import Action
from tandem.access.decide import can, field_access
from tandem.pipeline import selectors
from tandem.pipeline.choices import StageKind

SECTION_LIMIT = 10
RECENT_DAYS = 180
CLOSING_ROLES = ("ae", "am", "renewal")


def account_section(actor: Any, account: Any) -> dict[str, Any] | None:
    if not can(actor, Action.VIEW, resource="opportunity"):
        return None
    since = timezone.localdate() - datetime.timedelta(days=RECENT_DAYS)
    items = selectors.opportunities_of_account(actor=actor, account=account).filter(
        Q(stage__kind=StageKind.OPEN) | Q(closed_on__gte=since))
    return {"account": account, "opportunities": list(items.order_by("closed_on", "close_date", "id")[:SECTION_LIMIT]),
            "open_count": items.filter(stage__kind=StageKind.OPEN).count(),
            "can_create": can(actor, Action.CREATE, resource="opportunity"),
            "can_read_pricing": field_access(actor, "opportunity", "pricing").can_read,
            "suggested_type": "new_business" if account.lifecycle_stage == "trial" else "expansion"}


def leads_card(actor: Any) -> dict[str, Any] | None:
    if not can(actor, Action.VIEW, resource="lead") or not actor.roles.filter(code="sdr").exists():
        return None
    return {"leads": selectors.leads_to_call(actor=actor)}


def closing_card(actor: Any) -> dict[str, Any] | None:
    if not can(actor, Action.VIEW, resource="opportunity") or not actor.roles.filter(
            code__in=CLOSING_ROLES).exists():
        return None
    return {"opportunities": selectors.closing_this_month(actor=actor),
            "can_read_pricing": field_access(actor, "opportunity", "pricing").can_read}


def _opportunities_held(account: Any) -> str:
    from django.utils.translation import ngettext

    from tandem.pipeline.models import Opportunity

    count = Opportunity.objects.filter(account=account).count()
    return ngettext("%(count)s opportunity", "%(count)s opportunities", count) % {"count": count} if count else ""


def register() -> None:
    from tandem.accounts.merge import move_by_account, register_merge_step
    from tandem.accounts.sections import AccountSection, register_section
    from tandem.pipeline.models import Lead, Opportunity

    register_merge_step("leads", move_by_account(Lead))
    register_merge_step("opportunities", move_by_account(Opportunity))
    from tandem.accounts.services import register_deletion_guard

    register_deletion_guard("opportunities", _opportunities_held)
    from tandem.core.home import HomeCard, register_home_card

    register_section(AccountSection(key="opportunities", order=12, template="pipeline/account_section.html",
                                    context=account_section))
    register_home_card(HomeCard(key="leads", order=5, template="pipeline/home_leads.html", context=leads_card))
    register_home_card(HomeCard(key="closing", order=6, template="pipeline/home_closing.html", context=closing_card))
