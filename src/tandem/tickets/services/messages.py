"""Replies to the customer, the customer's answers and internal notes with @mentions."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_record
from tandem.collaboration import selectors as collaboration_selectors
from tandem.collaboration.logic import parse_mentions, plain_excerpt, render_comment
from tandem.contacts.models import Contact
from tandem.core.exceptions import ValidationFailed
from tandem.identity.models import User
from tandem.notifications.services import notify
from tandem.notifications.text import translatable
from tandem.tickets import logic, outbound, selectors
from tandem.tickets.choices import Channel, Direction, EventKind, MessageKind, Status
from tandem.tickets.models import Ticket, TicketMessage
from tandem.tickets.services.attachments import _check_uploads, _store_attachments
from tandem.tickets.services.common import (
    MAX_BODY,
    MAX_MENTIONS,
    _authorise_change,
    _event,
    _fail,
    _locked,
    _user,
    ticket_url,
)
from tandem.tickets.services.lifecycle import _apply_status
from tandem.tickets.services.sla import _refresh_sla


def _clean_body(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise _fail("body", _("Write something first."))
    if len(text) > MAX_BODY:
        raise _fail("body", _("At most %(limit)d characters (this has %(length)d).")
                    % {"limit": MAX_BODY, "length": len(text)})
    return text


def _mail_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "localhost"


def ticket_reply(*, actor: Any, ticket: Ticket, body: str, uploads: Sequence[Any] = (), status: str | None = None,
                 now: datetime.datetime | None = None) -> TicketMessage:
    """A public reply to the customer. The first one is the ticket's first response (SLA); a new ticket becomes
    open, or takes ``status`` (e.g. pending customer, solved) when given. The message gets a Message-ID naming the
    ticket's mail token, for the mail channel to send and to thread the customer's answer."""
    _authorise_change(actor, ticket)
    text = _clean_body(body)
    if status is not None and status not in Status.values:
        raise _fail("status", _("Value %(value)r is not a valid choice.") % {"value": status})
    checked = _check_uploads(uploads)
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _locked(ticket)
        message = TicketMessage(ticket=ticket, kind=MessageKind.REPLY, direction=Direction.OUTBOUND,
                                channel=ticket.channel, author=_user(actor), body=text,
                                body_html=render_comment(text, {}))
        message.message_id = logic.message_id_for(mail_token=ticket.mail_token, message_public_id=message.public_id,
                                                  domain=_mail_domain())
        message.created_at = now
        message.save()
        TicketMessage.objects.filter(pk=message.pk).update(created_at=now)
        message.created_at = now
        _store_attachments(actor, ticket, message, checked)
        outbound.queue_reply(ticket=ticket, message=message)  # mailed to the customer after the commit
        _event(ticket, EventKind.REPLIED, actor, now, message=message.public_id)
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=ticket, summary="Public reply",
                     changes={"reply": [None, text[:500]]})
        if ticket.first_responded_at is None:
            ticket.first_responded_at = now
            ticket.save(update_fields=["first_responded_at", "updated_at"])
        target = status or (Status.OPEN if ticket.status == Status.NEW else None)
        if target is not None and target != ticket.status:
            _apply_status(actor, ticket, target, now)
        else:
            _refresh_sla(ticket, now)
    return message


def ticket_receive_reply(*, ticket: Ticket, body: str, author_contact: Contact | None = None,
                         author_email: str = "", channel: str = Channel.EMAIL, message_id: str = "",
                         in_reply_to: str = "", references: str = "", uploads: Sequence[Any] = (),
                         now: datetime.datetime | None = None) -> TicketMessage | None:
    """The customer answered (mail intake; acts as the system). A ticket waiting for the customer, or solved,
    opens again. The same ``message_id`` is never taken twice (returns None then)."""
    from tandem.access.decide import SYSTEM

    text = _clean_body(body)
    if message_id and selectors.message_with_id(message_id=message_id) is not None:
        return None
    checked = _check_uploads(uploads)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            ticket = _locked(ticket)
            message = TicketMessage.objects.create(
                ticket=ticket, kind=MessageKind.REPLY, direction=Direction.INBOUND, channel=channel,
                author_contact=author_contact, author_email=(author_email or "").strip().lower(), body=text,
                body_html=render_comment(text, {}), message_id=message_id[:255] or None,
                in_reply_to=in_reply_to[:255], references=references)
            _store_attachments(SYSTEM, ticket, message, checked)
            _event(ticket, EventKind.REPLIED, SYSTEM, now, message=message.public_id, inbound=True)
            if ticket.status in (Status.PENDING_CUSTOMER, Status.SOLVED):
                _apply_status(SYSTEM, ticket, Status.OPEN, now)
    except IntegrityError:
        if message_id and selectors.message_with_id(message_id=message_id) is not None:
            return None
        raise
    return message


def _mentioned_users(ticket: Ticket, body: str) -> list[User]:
    tokens = parse_mentions(body)
    if len(tokens) > MAX_MENTIONS:
        raise _fail("body", _("Mention at most %(limit)d people in one note.") % {"limit": MAX_MENTIONS})
    if not tokens:
        return []
    found = collaboration_selectors.users_by_public_id(public_ids=[token.public_id for token in tokens])
    users, errors = [], []
    for token in tokens:
        user = found.get(token.public_id)
        if user is None:
            errors.append(_("Nobody is known as %(name)s; pick the person from the list.") % {"name": token.name})
        elif not user.is_active:
            errors.append(_("%(name)s is deactivated; they were not mentioned.") % {"name": user})
        elif not can(user, Action.VIEW, ticket):
            errors.append(_("%(name)s cannot see this ticket; they were not mentioned.") % {"name": user})
        else:
            users.append(user)
    if errors:
        raise ValidationFailed(_("The note was not saved: %(reasons)s") % {"reasons": " ".join(errors)},
                               errors={"body": errors})
    return users


def ticket_note(*, actor: Any, ticket: Ticket, body: str, uploads: Sequence[Any] = (),
                now: datetime.datetime | None = None) -> TicketMessage:
    """An internal note (never sent to the customer). People @mentioned (``@[Name](user-id)``, as in comments)
    are notified once; mentioning someone who cannot see the ticket is refused and nothing is saved."""
    _authorise_change(actor, ticket)
    text = _clean_body(body)
    users = _mentioned_users(ticket, text)
    checked = _check_uploads(uploads)
    names = {user.public_id: str(user) for user in users}
    now = now or timezone.now()
    with transaction.atomic():
        message = TicketMessage(ticket=ticket, kind=MessageKind.NOTE, direction=Direction.INTERNAL,
                                author=_user(actor), body=text, body_html=render_comment(text, names))
        message.save()
        TicketMessage.objects.filter(pk=message.pk).update(created_at=now)
        message.created_at = now
        message.mentions.set(users)
        _store_attachments(actor, ticket, message, checked)
        _event(ticket, EventKind.NOTED, actor, now, message=message.public_id)
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=ticket, summary="Internal note",
                     changes={"note": [None, text[:500]]})
        recipients = [user for user in users if user.pk != getattr(actor, "pk", None)]
        if recipients:
            notify(recipients=recipients, kind="mention", actor=actor, source=message,
                   url=ticket_url(ticket) + f"#message-{message.public_id}",
                   event_key=f"ticket-note:{message.pk}:mention",
                   title=translatable(gettext_lazy("%(author)s mentioned you on ticket %(reference)s"),
                                      author=str(actor), reference=ticket.reference),
                   body=plain_excerpt(text, names))
    return message
