"""The tickets section of the Account 360 page: open tickets and those solved in the last 90 days."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts.sections import AccountSection, register_section
from tandem.tickets import selectors
from tandem.tickets.choices import ACTIVE_STATUSES, DONE_STATUSES

LISTED = 10  # open tickets shown; the count says how many more there are


def _account_context(actor: Any, account: Any) -> dict[str, Any] | None:
    if not can(actor, Action.VIEW, resource="ticket"):
        return None
    tickets = selectors.tickets_of_account_brief(actor=actor, account=account)
    open_tickets = tickets.filter(status__in=ACTIVE_STATUSES).order_by("queue_due_at", "id")
    first = list(open_tickets[:LISTED + 1])  # one more than shown: counting is needed only beyond it
    open_count = len(first) if len(first) <= LISTED else open_tickets.count()
    since = timezone.now() - datetime.timedelta(days=90)
    recent = tickets.filter(status__in=DONE_STATUSES, solved_at__gte=since).order_by("-solved_at", "-id")[:5]
    return {"account": account, "open": first[:LISTED], "open_count": open_count,
            "recent": list(recent), "can_create": can(actor, Action.CREATE, resource="ticket")}


def register() -> None:
    from tandem.accounts.merge import move_by_account, register_merge_step
    from tandem.tickets.models import Ticket

    register_merge_step("tickets", move_by_account(Ticket))
    from tandem.contacts.merge import move_by_contact
    from tandem.contacts.merge import register_merge_step as register_contact_merge_step
    from tandem.tickets.models import TicketMessage

    register_contact_merge_step("tickets", move_by_contact(Ticket, "requester"))
    register_contact_merge_step("ticket_messages", move_by_contact(TicketMessage, "author_contact"))
    register_section(AccountSection(key="tickets", order=40, template="tickets/account_section.html",
                                    context=_account_context))
