"""Shared by the ticket services: limits, the audited fields, authorisation checks, the ticket's event and
timeline entry, validation of a ticket's fields and tags, the row lock and the people of a support group."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from email.utils import parseaddr
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.identity.models import User
from tandem.notifications.services import notify
from tandem.notifications.text import translatable
from tandem.tickets.choices import Category, Channel, Priority, Status, Tier
from tandem.tickets.models import Ticket, TicketEvent, TicketGroup, TicketTag
from tandem.timeline.choices import ActivityType
from tandem.timeline.services import record_system_activity

AUDITED_FIELDS = ("subject", "description", "requester", "requester_email", "account", "channel", "category",
                  "priority", "status", "tier", "assignee", "group", "satisfaction_rating", "satisfaction_comment")
MAX_BODY = 50_000
MAX_REASON = 2_000
MAX_TAGS = 20
MAX_BULK = 500
MAX_ATTACHMENTS = 20
MAX_MENTIONS = 50
_UNSET: Any = object()


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors={field: [message]})


def _user(actor: Any) -> User | None:
    actor = getattr(actor, "_wrapped", actor)
    return None if getattr(actor, "is_system", False) or getattr(actor, "pk", None) is None else actor


def ticket_url(ticket: Ticket) -> str:
    return reverse("tickets:ticket-detail", args=[ticket.public_id])


def check_can_create(*, actor: Any) -> None:
    """Refuse early (before an interface resolves the input) when the actor may not open tickets."""
    if not can(actor, Action.CREATE, resource="ticket"):
        raise PermissionDenied(_("You may not open tickets."))


def check_can_view(*, actor: Any) -> None:
    if not can(actor, Action.VIEW, resource="ticket"):
        raise PermissionDenied(_("You may not see tickets."))


def check_can_change(*, actor: Any, ticket: Ticket) -> None:
    if not can(actor, Action.CHANGE, ticket):
        raise PermissionDenied(_("You may not change this ticket."))


def _event(ticket: Ticket, kind: str, actor: Any, at: datetime.datetime, **payload: Any) -> TicketEvent:
    return TicketEvent.objects.create(ticket=ticket, kind=kind, actor=_user(actor), occurred_at=at, payload=payload)


def _timeline(ticket: Ticket, actor: Any, event: str, subject: str, **payload: Any) -> None:
    """The ticket's creation, escalation and solution on its account's timeline."""
    if ticket.account is None:
        return
    contacts = [ticket.requester] if ticket.requester is not None and ticket.requester.account_id == \
        ticket.account_id else []
    record_system_activity(account=ticket.account, type=ActivityType.TICKET_EVENT, actor=actor, source=ticket,
                           subject=subject, contacts=contacts,
                           payload={"event": event, "ticket": ticket.public_id, "reference": ticket.reference,
                                    "subject": ticket.subject, "priority": ticket.priority, **payload})


# --- validation -------------------------------------------------------------------------------------------------


def _clean_tags(tags: Iterable[str]) -> list[str]:
    names = []
    for tag in tags:
        name = "-".join(str(tag).strip().lower().split())[:50]
        if name and name not in names:
            names.append(name)
    if len(names) > MAX_TAGS:
        raise _fail("tags", _("At most %(limit)d tags.") % {"limit": MAX_TAGS})
    return names


def _set_tags(ticket: Ticket, names: list[str]) -> None:
    tags = []
    for name in names:
        tag, _created = TicketTag.objects.get_or_create(name=name)
        tags.append(tag)
    ticket.tags.set(tags)


def _validate(actor: Any, ticket: Ticket) -> None:
    errors: dict[str, list[str]] = {}
    ticket.subject = " ".join((ticket.subject or "").split())
    if not ticket.subject:
        errors["subject"] = [_("Give the ticket a subject.")]
    elif len(ticket.subject) > 300:
        errors["subject"] = [_("At most %(limit)d characters (this has %(length)d).")
                             % {"limit": 300, "length": len(ticket.subject)}]
    if len(ticket.description or "") > MAX_BODY:
        errors["description"] = [_("At most %(limit)d characters (this has %(length)d).")
                                 % {"limit": MAX_BODY, "length": len(ticket.description)}]
    for name, choices in (("channel", Channel), ("category", Category), ("priority", Priority),
                          ("status", Status)):
        if getattr(ticket, name) not in choices.values:
            errors[name] = [_("Value %(value)r is not a valid choice.") % {"value": getattr(ticket, name)}]
    if ticket.tier not in Tier.values:
        errors["tier"] = [_("Value %(value)r is not a valid choice.") % {"value": ticket.tier}]
    if ticket.requester_email:
        ticket.requester_email = ticket.requester_email.strip().lower()
        if "@" not in parseaddr(ticket.requester_email)[1]:
            errors["requester_email"] = [_("Enter a valid email address.")]
    if ticket.account is not None and not can(actor, Action.VIEW, ticket.account):
        errors["account"] = [_("Unknown account.")]
    if ticket.assignee is not None and not ticket.assignee.is_active:
        errors["assignee"] = [_("Assign the ticket to an active colleague.")]
    if errors:
        raise ValidationFailed(_("The ticket is invalid."), errors=errors)


def _notify_assigned(actor: Any, ticket: Ticket, assignee: User) -> None:
    notify(recipients=[assignee], kind="ticket_assigned", actor=actor, source=ticket, url=ticket_url(ticket),
           event_key=f"ticket:{ticket.pk}:assigned:{assignee.pk}:{timezone.now().timestamp():.0f}",
           title=translatable(gettext_lazy("Ticket %(reference)s assigned to you: %(subject)s"),
                              reference=ticket.reference, subject=ticket.subject))


def _locked(ticket: Ticket) -> Ticket:
    return (Ticket.objects.select_for_update(of=("self",))
            .select_related("account", "assignee", "group", "requester", "sla_policy").get(pk=ticket.pk))


def _authorise_change(actor: Any, ticket: Ticket) -> None:
    if not can(actor, Action.CHANGE, ticket):
        raise PermissionDenied(_("You may not change this ticket."))


def _group_people(group: TicketGroup | None) -> list[User]:
    if group is None or group.team is None:
        return []
    people = list(group.team.members.filter(is_active=True))
    if group.team.manager is not None and group.team.manager.is_active and group.team.manager not in people:
        people.append(group.team.manager)
    return people
