"""Replies to customers by email. ``queue_reply`` runs inside the reply's transaction and writes an outbox row
(so a crash after the commit loses nothing); a job sent after the commit — and a periodic sweep for rows whose job
was lost or whose attempt failed — claims the row, sends it through Django's email backend and marks it sent.

The mail: From the support address, the subject with the ``[#T-10001]`` tag, the reply's own Message-ID (stored
on the ticket message, naming the ticket's mail token) and In-Reply-To/References pointing at the customer's
latest mail, so their answer threads back into the ticket."""

from __future__ import annotations

import datetime
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from tandem.core.jobs import enqueue_after_commit
from tandem.notifications.logic import error_text, retry_delay
from tandem.tickets import logic
from tandem.tickets.choices import Channel, Direction, MessageKind
from tandem.tickets.mail_models import OutboundMail
from tandem.tickets.models import Ticket, TicketMessage

logger = logging.getLogger("tandem.tickets.mail")

MAILED_CHANNELS = (Channel.EMAIL, Channel.WEB_FORM, Channel.MARKETING_REPLY)
CLAIM_LEASE = datetime.timedelta(minutes=5)
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class SendReport:
    sent: int
    retrying: int
    failed: int


def queue_reply(*, ticket: Ticket, message: TicketMessage) -> OutboundMail | None:
    """Call inside the transaction that wrote ``message`` (a public reply): mail it to the requester when the
    ticket came in by mail or the web form. Threads it under the customer's latest mail."""
    if (message.kind != MessageKind.REPLY or message.direction != Direction.OUTBOUND
            or ticket.channel not in MAILED_CHANNELS or not ticket.requester_email):
        return None
    previous = (TicketMessage.objects.filter(ticket=ticket, kind=MessageKind.REPLY, message_id__isnull=False)
                .exclude(pk=message.pk).order_by("-created_at", "-id").first())
    if previous is not None and previous.message_id:
        chain = [ref for ref in (previous.references or "").split() if ref] + [previous.message_id]
        message.in_reply_to = previous.message_id
        message.references = " ".join(list(dict.fromkeys(chain))[-20:])
        TicketMessage.objects.filter(pk=message.pk).update(in_reply_to=message.in_reply_to,
                                                           references=message.references)
    row = OutboundMail.objects.create(message=message, to_address=ticket.requester_email)
    from tandem.tickets.mail_jobs import send_replies_job

    enqueue_after_commit(send_replies_job, [row.pk])
    return row


def _due(now: datetime.datetime) -> QuerySet[OutboundMail]:
    return OutboundMail.objects.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
                                       sent_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=now)


def _claim(now: datetime.datetime, row_ids: list[int] | None, limit: int) -> tuple[str, list[OutboundMail]]:
    token = secrets.token_hex(16)
    due = _due(now)
    if row_ids is not None:
        due = due.filter(pk__in=row_ids)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            ids = list(due.select_for_update(skip_locked=True).order_by("next_attempt_at", "id")
                       .values_list("pk", flat=True)[:limit])
        else:
            ids = list(due.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit])
        _due(now).filter(pk__in=ids).update(claimed_until=now + CLAIM_LEASE, claim_token=token)
    rows = list(OutboundMail.objects.filter(claim_token=token)
                .select_related("message", "message__ticket", "message__author").order_by("id"))
    return token, rows


def build_email(row: OutboundMail) -> EmailMessage:
    message = row.message
    ticket = message.ticket
    subject = logic.subject_with_reference(f"Re: {ticket.subject}", ticket.reference)
    headers = {"Message-ID": message.message_id or "", "Auto-Submitted": "auto-replied",
               "X-Tandem-Ticket": ticket.reference}
    if message.in_reply_to:
        headers["In-Reply-To"] = message.in_reply_to
    if message.references:
        headers["References"] = message.references
    email = EmailMessage(subject=subject, body=message.body, from_email=settings.SUPPORT_EMAIL,
                         to=[row.to_address], headers={key: value for key, value in headers.items() if value})
    for attachment in message.attachments.all():
        with attachment.blob.open("rb") as handle:
            email.attach(attachment.name, handle.read(), attachment.content_type)
    return email


def send_due(*, row_ids: list[int] | None = None, limit: int = 100, now: datetime.datetime | None = None
             ) -> SendReport:
    """Send claimed replies; a failure is retried after 1, 2, 4… minutes, then marked failed."""
    now = now or timezone.now()
    token, rows = _claim(now, row_ids, limit)
    sent = retrying = failed = 0
    for row in rows:
        try:
            build_email(row).send(fail_silently=False)
        except Exception as error:  # noqa: BLE001 - any failure of the mail server is recorded and retried
            attempts = row.attempts + 1
            gave_up = attempts >= MAX_ATTEMPTS
            OutboundMail.objects.filter(pk=row.pk, claim_token=token).update(
                attempts=attempts, last_error=error_text(error), claimed_until=None, claim_token="",
                next_attempt_at=now + retry_delay(attempts), failed_at=now if gave_up else None)
            logger.warning("Reply %s to %s failed, attempt %d%s: %s", row.message.public_id, row.to_address,
                           attempts, " — giving up" if gave_up else "", error_text(error))
            failed += gave_up
            retrying += not gave_up
        else:
            OutboundMail.objects.filter(pk=row.pk, claim_token=token).update(
                attempts=F("attempts") + 1, sent_at=timezone.now(), last_error="", claimed_until=None)
            sent += 1
    return SendReport(sent=sent, retrying=retrying, failed=failed)
