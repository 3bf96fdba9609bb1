"""Inbound support mail, after fetching: raw messages are stored first (``store_raw``, one transaction per batch
with the mailbox's last UID), then processed from that table one message per transaction (``process_queued``):
a killed worker leaves its message queued, the next run takes it again, and the unique Message-ID (on the raw row
and on the ticket message) makes a second attempt a no-op.

Processing: automatic mail (auto-replies, bulk precedence, bounces, our own address) and senders over the hourly
cap are recorded as ignored with the reason; a reply threads into its ticket by the ``[#T-10001]`` tag in the
subject or by In-Reply-To/References naming a stored message; anything else opens a ticket (channel email). An
unknown sender gets a contact, or the mail is held for an agent to accept or discard
(``TANDEM_SUPPORT_UNKNOWN_SENDERS``)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.access.choices import Action
from tandem.access.decide import SYSTEM, can
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_record
from tandem.contacts import services as contact_services
from tandem.contacts.models import Contact
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.tickets import logic, mailparse, selectors, services
from tandem.tickets.choices import Channel, Status
from tandem.tickets.mail_models import InboundMail, InboundStatus, Mailbox
from tandem.tickets.models import Ticket, TicketMessage

logger = logging.getLogger("tandem.tickets.mail")

NO_SUBJECT = "(no subject)"
NO_TEXT = "(no text)"


@dataclass(frozen=True)
class FetchedMessage:
    uid: int | None
    raw: bytes
    size: int
    truncated: bool = False  # only the headers were fetched (over the size cap)


@dataclass
class ProcessReport:
    processed: int = 0
    ignored: int = 0
    held: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.processed + self.ignored + self.held + self.failed


def limits() -> mailparse.Limits:
    own = {parseaddr(address)[1].lower() for address in (settings.SUPPORT_EMAIL, settings.DEFAULT_FROM_EMAIL)}
    return mailparse.Limits(max_text=services.MAX_BODY - 2_000, max_attachment_bytes=settings.FILE_MAX_BYTES,
                            max_attachments=services.MAX_ATTACHMENTS,
                            allowed_suffixes=frozenset(settings.FILE_ALLOWED_SUFFIXES),
                            own_addresses=frozenset(address for address in own if address))


def _headline(raw: bytes) -> tuple[str, str, str]:
    """Message-ID (or a stable hash id), sender and subject from the headers alone; never raises."""
    try:
        message = BytesHeaderParser(policy=default_policy).parsebytes(raw)
        ids = mailparse.message_ids(mailparse.header(message, "Message-ID"))
        sender = parseaddr(mailparse.header(message, "From"))[1].strip().lower()
        subject = mailparse.header(message, "Subject")
    except Exception:  # noqa: BLE001 - a message we cannot even read the headers of is still stored
        ids, sender, subject = (), "", ""
    return (ids[0] if ids else mailparse.stable_message_id(raw)), sender[:254], subject[:300]


# --- storing ---------------------------------------------------------------------------------------------------


def mailbox_state(*, key: str) -> Mailbox:
    mailbox, _created = Mailbox.objects.get_or_create(key=key)
    return mailbox


def store_raw(*, mailbox: str, uidvalidity: int | None, messages: Iterable[FetchedMessage],
              now: datetime.datetime | None = None) -> tuple[int, int]:
    """Store fetched messages as queued rows and advance the mailbox's last UID, in one transaction. A message
    already stored (same mailbox UID, or same Message-ID) is skipped. Returns (stored, already stored)."""
    now = now or timezone.now()
    rows: list[InboundMail] = []
    for item in messages:
        message_id, sender, subject = _headline(item.raw)
        rows.append(InboundMail(mailbox=mailbox, uidvalidity=uidvalidity, uid=item.uid, message_id=message_id,
                                raw=item.raw, size=item.size, truncated=item.truncated, from_address=sender,
                                subject=subject, received_at=now))
    if not rows:
        return 0, 0
    ids = [row.message_id for row in rows]
    with transaction.atomic():
        before = set(InboundMail.objects.filter(message_id__in=ids).values_list("message_id", flat=True))
        InboundMail.objects.bulk_create(rows, ignore_conflicts=True, batch_size=200)
        after = set(InboundMail.objects.filter(message_id__in=ids).values_list("message_id", flat=True))
        uids = [row.uid for row in rows if row.uid is not None]
        if uids:
            Mailbox.objects.filter(key=mailbox).update(last_uid=max(uids), uidvalidity=uidvalidity)
    stored = len(after - before)
    return stored, len(rows) - stored


def store_message(*, raw: bytes, mailbox: str = "") -> InboundMail | None:
    """One message from elsewhere (a test, an import, a pipe from the MTA): stored queued, or None if known."""
    stored, _known = store_raw(mailbox=mailbox, uidvalidity=None,
                               messages=[FetchedMessage(uid=None, raw=raw, size=len(raw))])
    return InboundMail.objects.get(message_id=_headline(raw)[0]) if stored else None


# --- processing ------------------------------------------------------------------------------------------------


def queued_ids(limit: int = 200) -> list[int]:
    return list(InboundMail.objects.filter(status=InboundStatus.QUEUED).order_by("id")
                .values_list("pk", flat=True)[:limit])


def process_queued(*, limit: int | None = None, now: datetime.datetime | None = None) -> ProcessReport:
    """Process queued messages oldest first, each in its own transaction, until none is left (or ``limit``).
    Several workers may run at once: a row is taken under a lock (PostgreSQL skips rows another worker holds)
    and re-checked as still queued."""
    report = ProcessReport()
    while limit is None or report.total < limit:
        batch = queued_ids(200 if limit is None else min(200, limit - report.total))
        if not batch:
            break
        progressed = False
        for pk in batch:
            outcome = process_one(pk=pk, now=now)
            if outcome is None:
                continue
            progressed = True
            setattr(report, outcome, getattr(report, outcome) + 1)
        if not progressed:
            break  # every row of the batch belongs to another worker right now
    return report


def process_one(*, pk: int, now: datetime.datetime | None = None, accept_unknown: bool = False
                ) -> str | None:
    """Process one queued row; returns the report field it counts in, or None if it was not (or no longer)
    queued. The row, the ticket work and the row's new status commit together; when the work fails, all of it
    is rolled back and the row alone is marked failed with the error (in a second, short transaction)."""
    statuses = (InboundStatus.QUEUED, InboundStatus.HELD) if accept_unknown else (InboundStatus.QUEUED,)
    at = now or timezone.now()
    try:
        with transaction.atomic():
            row = InboundMail.objects.select_for_update(skip_locked=True).filter(pk=pk, status__in=statuses).first()
            if row is None:
                return None
            row.attempts += 1
            row.processed_at = at
            status, reason = _process(row, now=at, accept_unknown=accept_unknown)
            row.status, row.reason = status, reason[:500]
            row.save(update_fields=["status", "reason", "attempts", "processed_at", "ticket", "from_address",
                                    "from_name", "subject", "body_html"])
    except (OperationalError, InterfaceError):
        raise  # the database itself is in trouble: stop; the row stays queued for the next run
    except Exception as error:  # noqa: BLE001 - one bad message never stops the others
        reason = mailparse.describe(error)
        logger.warning("Support mail %s failed: %s", pk, reason)
        with transaction.atomic():
            marked = InboundMail.objects.filter(pk=pk, status__in=statuses).update(
                status=InboundStatus.FAILED, reason=reason[:500], attempts=F("attempts") + 1, processed_at=at)
        return "failed" if marked else None
    outcomes: dict[str, str] = {InboundStatus.PROCESSED: "processed", InboundStatus.IGNORED: "ignored",
                                 InboundStatus.HELD: "held"}
    return outcomes.get(status, "failed")


def _over_rate(address: str, now: datetime.datetime) -> bool:
    recent = InboundMail.objects.filter(from_address=address, status=InboundStatus.PROCESSED,
                                        processed_at__gte=now - datetime.timedelta(hours=1))
    return recent.count() >= settings.SUPPORT_MAIL_PER_SENDER_HOUR


def thread_target(parsed: mailparse.ParsedMail, stored: dict[str, TicketMessage] | None = None) -> Ticket | None:
    """The ticket a mail answers: the ``[#T-10001]`` tag in its subject, else a stored message (or our
    Message-ID's ticket token) named by In-Reply-To / References."""
    number = logic.reference_in_subject(parsed.subject)
    if number is not None:
        ticket = selectors.ticket_by_number(number=number)
        if ticket is not None:
            return ticket
    if parsed.thread_ids:  # one query for all the ids (or the caller's); the most specific known one wins
        known = stored if stored is not None else {
            message.message_id or "": message for message in
            TicketMessage.objects.select_related("ticket").filter(message_id__in=parsed.thread_ids[:20])}
        for message_id in parsed.thread_ids:
            if message_id in known:
                return known[message_id].ticket
    token = logic.token_in_references(" ".join(parsed.thread_ids))
    return selectors.ticket_by_mail_token(mail_token=token) if token else None


def _uploads(parsed: mailparse.ParsedMail) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(item.name, item.data, content_type=item.content_type) for item in parsed.attachments]


def _new_contact(address: str, name: str) -> Contact:
    first, _space, last = (name or "").strip().partition(" ")
    if not first and not last:
        first = address.partition("@")[0][:100]
    return contact_services.contact_create(actor=SYSTEM, first_name=first[:100], last_name=last[:100],
                                           email=address)


def _process(row: InboundMail, *, now: datetime.datetime, accept_unknown: bool) -> tuple[str, str]:
    parsed = mailparse.parse(bytes(row.raw), limits())
    row.from_address, row.from_name = parsed.from_address[:254], parsed.from_name[:200]
    row.subject, row.body_html = parsed.subject[:300], parsed.html
    if parsed.auto_reason:
        return InboundStatus.IGNORED, parsed.auto_reason
    if not parsed.from_address or "@" not in parsed.from_address:
        return InboundStatus.FAILED, "No sender address."
    stored = {message.message_id or "": message for message in TicketMessage.objects.select_related("ticket").filter(
        message_id__in=[parsed.message_id, *parsed.thread_ids[:20]])}  # this mail, and the ones it answers
    if parsed.message_id in stored:
        row.ticket = stored[parsed.message_id].ticket
        return InboundStatus.PROCESSED, "Already on the ticket."
    if _over_rate(parsed.from_address, now):
        return InboundStatus.IGNORED, (f"More than {settings.SUPPORT_MAIL_PER_SENDER_HOUR} messages from this sender "
                                       f"in an hour (rate cap).")
    extra: tuple[str, ...] = ()
    if row.truncated:
        extra = (f"The message was {row.size // 2**20} MB, over the limit of "
                 f"{settings.SUPPORT_MAIL_MAX_BYTES // 2**20} MB: only its headers were taken.",)
    body = mailparse.body_with_notes(parsed, extra)
    contact = selectors.contact_by_email(email=parsed.from_address)
    ticket = thread_target(parsed, stored)
    if ticket is not None and ticket.status != Status.CLOSED:
        services.ticket_receive_reply(
            ticket=ticket, body=body or NO_TEXT, author_contact=contact, author_email=parsed.from_address,
            channel=Channel.EMAIL, message_id=parsed.message_id, in_reply_to=parsed.in_reply_to,
            references=" ".join(parsed.references), uploads=_uploads(parsed), now=now)
        row.ticket = ticket
        return InboundStatus.PROCESSED, f"Added to ticket {ticket.reference}."
    if contact is None:
        if settings.SUPPORT_UNKNOWN_SENDERS == "hold" and not accept_unknown:
            return InboundStatus.HELD, "Unknown sender: held for review."
        contact = _new_contact(parsed.from_address, parsed.from_name)
    subject = mailparse.strip_reply_prefixes(parsed.subject).strip() if ticket is not None else parsed.subject
    created = services.ticket_create(
        actor=SYSTEM, subject=subject or NO_SUBJECT, description=body, requester=contact,
        requester_email=parsed.from_address, requester_name=parsed.from_name, channel=Channel.EMAIL,
        category=mailparse.guess_category(parsed.subject, parsed.text), uploads=_uploads(parsed),
        message_id=parsed.message_id, now=now)
    row.ticket = created
    follow_up = f" (follow-up of the closed {ticket.reference})" if ticket is not None else ""
    return InboundStatus.PROCESSED, f"Opened {created.reference}{follow_up}."


# --- the review queue of held mail -------------------------------------------------------------------------------


def check_can_review(*, actor: Any) -> None:
    if not can(actor, Action.CREATE, resource="ticket"):
        raise PermissionDenied(_("You may not review held support mail."))


def held_list(*, actor: Any) -> QuerySet[InboundMail]:
    check_can_review(actor=actor)
    return InboundMail.objects.filter(status=InboundStatus.HELD).order_by("-id")


def held_get(*, actor: Any, pk: int) -> InboundMail:
    check_can_review(actor=actor)
    row = InboundMail.objects.filter(pk=pk, status=InboundStatus.HELD).first()
    if row is None:
        raise ValidationFailed(_("This message is no longer held."))
    return row


def held_accept(*, actor: Any, row: InboundMail, now: datetime.datetime | None = None) -> InboundMail:
    """An agent accepts held mail from an unknown sender: a contact is created and the ticket opened."""
    check_can_review(actor=actor)
    with transaction.atomic():
        outcome = process_one(pk=row.pk, now=now, accept_unknown=True)
        if outcome is None:
            raise ValidationFailed(_("This message is no longer held."))
        row.refresh_from_db()
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=row.ticket or row,
                     summary=f"Accepted held support mail from {row.from_address}: {row.reason}"[:500])
    return row


def held_discard(*, actor: Any, row: InboundMail) -> InboundMail:
    check_can_review(actor=actor)
    with transaction.atomic():
        changed = InboundMail.objects.filter(pk=row.pk, status=InboundStatus.HELD).update(
            status=InboundStatus.DISCARDED, reason=f"Discarded by {actor}"[:500])
        if not changed:
            raise ValidationFailed(_("This message is no longer held."))
        audit_record(actor=actor, action=AuditAction.DELETE, obj=row,
                     summary=f"Discarded held support mail from {row.from_address}"[:500])
    row.refresh_from_db()
    return row


def retry_failed(*, ids: Iterable[int] | None = None) -> int:
    """Put failed rows back in the queue (after a fix); returns how many."""
    rows = InboundMail.objects.filter(status=InboundStatus.FAILED)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(status=InboundStatus.QUEUED)

