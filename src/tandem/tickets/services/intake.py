"""Opening a ticket: match the requester, route, validate, write, audit, timeline, notify."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts.models import Account
from tandem.audit.services import audit_created
from tandem.collaboration.logic import render_comment
from tandem.contacts.models import Contact
from tandem.core.exceptions import PermissionDenied
from tandem.identity.models import User
from tandem.notifications.services import notify
from tandem.notifications.text import translatable
from tandem.tickets import selectors
from tandem.tickets.choices import Category, Channel, Direction, EventKind, MessageKind, Priority, Status, Tier
from tandem.tickets.models import Ticket, TicketGroup, TicketMessage, TicketStatusInterval
from tandem.tickets.services.attachments import _check_uploads, _store_attachments
from tandem.tickets.services.common import (
    AUDITED_FIELDS,
    _clean_tags,
    _event,
    _notify_assigned,
    _set_tags,
    _timeline,
    _user,
    _validate,
    ticket_url,
)
from tandem.tickets.services.routing import route_for
from tandem.tickets.services.sla import _refresh_sla


def ticket_create(*, actor: Any, subject: str, description: str = "", account: Account | None = None,
                  requester: Contact | None = None, requester_email: str = "", requester_name: str = "",
                  channel: str = Channel.PHONE, category: str = Category.QUESTION, priority: str = Priority.NORMAL,
                  tier: int | None = None, group: TicketGroup | None = None, assignee: User | None = None,
                  tags: Iterable[str] = (), uploads: Sequence[Any] = (), message_id: str = "",
                  now: datetime.datetime | None = None) -> Ticket:
    """Open a ticket. The requester is matched to a contact by email when no contact is given, and the account
    follows the contact when none is given. Without an explicit tier, group or assignee, the routing rules
    decide. A product-setup question on an account with a CSM notifies the CSM; a billing question notifies the
    AM. ``message_id`` (mail intake) stores the description as the first inbound message with that id."""
    if not can(actor, Action.CREATE, resource="ticket"):
        raise PermissionDenied(_("You may not open tickets."))
    now = now or timezone.now()
    if requester is None and requester_email:
        requester = selectors.contact_by_email(email=requester_email)
    if requester is not None:
        requester_email = requester_email or requester.email
        requester_name = requester_name or requester.full_name
        if account is None and requester.account_id is not None and requester.account is not None and can(
                actor, Action.VIEW, requester.account):
            account = requester.account
    explicit = tier is not None or group is not None or assignee is not None
    route = None if explicit else route_for(channel=channel, category=category, account=account, subject=subject,
                                            description=description)
    ticket = Ticket(subject=subject, description=(description or "").strip(), account=account, requester=requester,
                    requester_email=requester_email or "", requester_name=(requester_name or "").strip()[:200],
                    channel=channel, category=category, priority=priority, status=Status.NEW,
                    tier=route.tier if route else (tier or (group.tier if group and group.tier else Tier.ONE)),
                    group=route.group if route else group, assignee=route.assignee if route else assignee,
                    created_by=_user(actor), routing_rule_id=route.rule_id if route else None)
    _validate(actor, ticket)
    tag_names = _clean_tags(tags)
    checked = _check_uploads(uploads)
    with transaction.atomic():
        ticket.save()
        ticket.created_at = now
        Ticket.objects.filter(pk=ticket.pk).update(created_at=now)
        _set_tags(ticket, tag_names)
        TicketStatusInterval.objects.create(ticket=ticket, status=Status.NEW, started_at=now)
        if message_id:
            message = TicketMessage.objects.create(
                ticket=ticket, kind=MessageKind.REPLY, direction=Direction.INBOUND, channel=channel,
                author_contact=requester, author_email=ticket.requester_email, body=ticket.description,
                body_html=render_comment(ticket.description, {}), message_id=message_id[:255])
            _store_attachments(actor, ticket, message, checked)
        else:
            _store_attachments(actor, ticket, None, checked)
        _event(ticket, EventKind.CREATED, actor, now, channel=channel, category=category, priority=priority)
        if route is not None and route.rule_id is not None:
            _event(ticket, EventKind.ROUTED, actor, now, rule=route.rule_id, tier=ticket.tier,
                   group=ticket.group.name if ticket.group else "",
                   assignee=str(ticket.assignee) if ticket.assignee else "")
        _refresh_sla(ticket, now)
        audit_created(actor=actor, obj=ticket, fields=AUDITED_FIELDS, summary=f"Ticket {ticket.reference}")
        _timeline(ticket, actor, "ticket_created",
                  _("Ticket %(reference)s opened: %(subject)s") % {"reference": ticket.reference,
                                                                   "subject": ticket.subject},
                  channel=channel, category=category)
        _notify_created(actor, ticket)
    return ticket


def _notify_created(actor: Any, ticket: Ticket) -> None:
    values = {"reference": ticket.reference, "subject": ticket.subject,
              "account": ticket.account.name if ticket.account else ""}
    if ticket.assignee is not None and ticket.assignee.pk != getattr(actor, "pk", None):
        _notify_assigned(actor, ticket, ticket.assignee)
    if ticket.category == Category.PRODUCT_SETUP:
        csm = selectors.account_seat_holder(account=ticket.account, role_code="csm")
        if csm is not None and csm.pk != getattr(actor, "pk", None):
            notify(recipients=[csm], kind="ticket_account_question", actor=actor, source=ticket,
                   event_key=f"ticket:{ticket.pk}:setup-csm", url=ticket_url(ticket),
                   title=translatable(gettext_lazy("Setup question from %(account)s: %(reference)s %(subject)s"),
                                      **values),
                   body=translatable(gettext_lazy("You can take it over from the ticket page.")))
    if ticket.category == Category.BILLING:
        am = selectors.account_seat_holder(account=ticket.account, role_code="am")
        if am is not None and am.pk != getattr(actor, "pk", None):
            notify(recipients=[am], kind="ticket_account_question", actor=actor, source=ticket,
                   event_key=f"ticket:{ticket.pk}:billing-am", url=ticket_url(ticket),
                   title=translatable(gettext_lazy("Billing question from %(account)s: %(reference)s %(subject)s"),
                                      **values))
