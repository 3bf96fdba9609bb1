"""Support mail's own records (imported by ``models.py``): the ingestion state of each polled mailbox, every raw
inbound message as it was fetched (the durable queue between fetching and processing), the outbox of replies to
customers, and the web form's submissions (its rate limit)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InboundStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored")
    HELD = "held", _("Held for review")
    DISCARDED = "discarded", _("Discarded")
    FAILED = "failed", _("Failed")


class Mailbox(models.Model):
    """Where fetching stands in one IMAP folder: the highest UID already stored, valid while the folder's
    UIDVALIDITY stays the same (a new UIDVALIDITY starts over; the unique Message-ID keeps it duplicate-free)."""

    key = models.CharField(max_length=300, unique=True)  # user@host:port/folder, never the password
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)  # backoff while the server is down
    last_error = models.CharField(max_length=500, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.key


class InboundMail(models.Model):
    """One message as fetched (raw bytes first, processed in a separate step). ``message_id`` is unique (a stable
    hash id when the mail has none), so a message fetched twice — a retry, a new UIDVALIDITY, a second copy — is
    stored once. Processing moves ``queued`` to processed (ticket or reply written in the same transaction),
    ignored (auto-reply, loop, rate cap), held (unknown sender, for review), discarded or failed (with the error)."""

    mailbox = models.CharField(max_length=300, blank=True)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    uid = models.BigIntegerField(null=True, blank=True)
    message_id = models.CharField(max_length=255, unique=True)
    raw = models.BinaryField()
    size = models.BigIntegerField(default=0)
    truncated = models.BooleanField(default=False)  # only the headers were fetched (over the size cap)
    status = models.CharField(max_length=12, choices=InboundStatus.choices, default=InboundStatus.QUEUED)
    reason = models.CharField(max_length=500, blank=True)
    from_address = models.CharField(max_length=254, blank=True)
    from_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body_html = models.TextField(blank=True)  # the mail's HTML, sanitized (no scripts), kept beside the text
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="inbound_mail")
    attempts = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["id"], condition=Q(status="queued"), name="inbound_mail_queued"),
            models.Index(fields=["from_address", "processed_at"], name="inbound_mail_sender"),
            models.Index(fields=["status", "-id"], name="inbound_mail_status"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "uidvalidity", "uid"], condition=Q(uid__isnull=False),
                                    name="inbound_mail_uid_once"),
            models.CheckConstraint(condition=Q(status__in=InboundStatus.values), name="inbound_mail_status_known"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.status})"


class OutboundMail(models.Model):
    """A public reply to be mailed to the customer, written in the reply's transaction (so it is never lost); a
    worker claims it, sends it and marks it sent. Failures are retried with backoff, then marked failed."""

    message = models.OneToOneField("tickets.TicketMessage", on_delete=models.CASCADE, related_name="outbound_mail")
    to_address = models.EmailField()
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["next_attempt_at", "id"]
        indexes = [models.Index(fields=["next_attempt_at", "id"], condition=Q(sent_at__isnull=True,
                                                                             failed_at__isnull=True),
                                name="ticket_outbound_due")]

    def __str__(self) -> str:
        return f"reply to {self.to_address}"


class WebFormSubmission(models.Model):
    """A ticket opened through the public form: the keyed hash of the sender's IP address (never the address)
    and when — the per-IP rate limit counts these."""

    client = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["client", "created_at"], name="ticket_webform_client")]

    def __str__(self) -> str:
        return f"{self.client[:8]} at {self.created_at:%Y-%m-%d %H:%M}"
