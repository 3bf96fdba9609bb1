"""The meetings section of the Account 360 page and the "Today's meetings" card of the home page."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts.sections import AccountSection, register_section
from tandem.core.home import HomeCard, register_home_card
from tandem.meetings import selectors


def _account_context(actor: Any, account: Any) -> dict[str, Any] | None:
    if not can(actor, Action.VIEW, resource="meeting"):
        return None
    now = timezone.now()
    filters = selectors.MeetingFilters(account_public_id=account.public_id, include_cancelled=False)
    upcoming = selectors.occurrences_of(actor=actor, start=now, end=now + datetime.timedelta(days=60),
                                        filters=filters)[:8]
    return {"account": account, "upcoming": upcoming,
            "can_create": can(actor, Action.CREATE, resource="meeting")}


def _today_context(actor: Any) -> dict[str, Any] | None:
    if not can(actor, Action.VIEW, resource="meeting"):
        return None
    today = timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    return {"occurrences": selectors.my_occurrences(actor=actor, start=start, end=end), "now": timezone.now()}


def register() -> None:
    from tandem.accounts.merge import move_by_account, register_merge_step
    from tandem.meetings.models import Meeting

    register_merge_step("meetings", move_by_account(Meeting))
    from tandem.contacts.merge import move_contact_links
    from tandem.contacts.merge import register_merge_step as register_contact_merge_step

    register_contact_merge_step("meetings", move_contact_links(Meeting, "contacts"))
    register_section(AccountSection(key="meetings", order=30, template="meetings/account_section.html",
                                    context=_account_context))
    register_home_card(HomeCard(key="meetings_today", order=15, template="meetings/home_card.html",
                                context=_today_context))
