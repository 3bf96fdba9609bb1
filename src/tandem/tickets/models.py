"""Support tickets: the ticket with its replies, internal notes, attachments, status intervals (the SLA clock's
record) and events (the ticket's own history); support groups, routing rules, SLA policies, business hours and
holidays; SLA alert claims (each warning and breach notification sent once)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import Account
from tandem.contacts.models import Contact
from tandem.core.models import PublicModel, new_public_id
from tandem.identity.models import Team
from tandem.tickets.choices import (
    ACTIVE_STATUSES,
    AlertKind,
    Category,
    Channel,
    Direction,
    EventKind,
    MessageKind,
    Priority,
    SlaMetric,
    Status,
    Tier,
)

# Tickets without a running SLA deadline sort after every ticket with one in the queues.
NO_DEADLINE = datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC)
NUMBER_OFFSET = 10000  # the first ticket is T-10001: references read as numbers, not as "ticket 1"


def new_mail_token() -> str:
    return new_public_id()[:12]


class BusinessHours(PublicModel):
    """Working time of a support group: weekly windows in a time zone, minus holidays. ``windows`` is a list of
    ``[weekday (0 = Monday), "HH:MM", "HH:MM"]``; a window ending at "24:00" runs to midnight. The default
    calendar applies to tickets whose group has none."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    windows = models.JSONField(_("weekly windows"), default=list)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True),
                                               name="ticket_one_default_business_hours")]

    def __str__(self) -> str:
        return self.name


class Holiday(models.Model):
    """A day without business hours in a calendar (the whole local day)."""

    business_hours = models.ForeignKey(BusinessHours, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [models.UniqueConstraint(fields=["business_hours", "date"], name="ticket_holiday_once")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()


class TicketGroup(PublicModel):
    """A support group (queue owner): optionally tied to a team of people and a tier, with its business hours."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices, null=True, blank=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="ticket_groups",
                             verbose_name=_("team"))
    business_hours = models.ForeignKey(BusinessHours, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="groups", verbose_name=_("business hours"))

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("support group")
        verbose_name_plural = _("support groups")

    def __str__(self) -> str:
        return self.name


class TicketTag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SlaPolicy(PublicModel):
    """Targets in business minutes for tickets of one priority on accounts of one tier ("" = any tier; a policy
    for the exact tier wins)."""

    name = models.CharField(_("name"), max_length=100)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    account_tier = models.CharField(_("account tier"), max_length=12, blank=True)
    first_response_minutes = models.PositiveIntegerField(_("first response (business minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (business minutes)"))

    class Meta:
        ordering = ["priority", "account_tier", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [models.UniqueConstraint(fields=["priority", "account_tier"], name="ticket_sla_policy_once")]

    def __str__(self) -> str:
        return self.name


class RoutingRule(PublicModel):
    """Ordered rules: the first active rule whose every given condition holds routes a new ticket. An empty
    condition list matches anything; keywords match case-insensitively in the subject or description."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    categories = models.JSONField(_("categories"), default=list, blank=True)
    account_tiers = models.JSONField(_("account tiers"), default=list, blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    group = models.ForeignKey(TicketGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("group"))
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices, null=True, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("assignee"))

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return self.name


class Ticket(PublicModel):
    """A customer's support request. ``number`` (T-10001…) is how people and mail subjects refer to it
    (``[#T-10001]``); ``mail_token`` is the unguessable part of the Message-IDs of mail sent about it, so
    inbound replies can be threaded by their References header. SLA deadlines are the instants a target falls
    due given the time spent so far (None while the clock is paused or the target is met); ``queue_due_at`` is
    the earliest of them (``NO_DEADLINE`` when none runs) — the queues' sort key."""

    subject = models.CharField(_("subject"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    requester = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets",
                                  verbose_name=_("requester"))
    requester_email = models.EmailField(_("requester email"), blank=True)
    requester_name = models.CharField(_("requester name"), max_length=200, blank=True)
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets",
                                verbose_name=_("account"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.PHONE)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.QUESTION)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices, default=Tier.ONE)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="assigned_tickets", verbose_name=_("assignee"))
    group = models.ForeignKey(TicketGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets",
                              verbose_name=_("group"))
    tags = models.ManyToManyField(TicketTag, blank=True, related_name="tickets", verbose_name=_("tags"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    mail_token = models.CharField(max_length=16, unique=True, default=new_mail_token, editable=False)
    routing_rule = models.ForeignKey(RoutingRule, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    # SLA
    sla_policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    queue_due_at = models.DateTimeField(default=NO_DEADLINE)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)  # business minutes taken
    first_response_met = models.BooleanField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)  # business minutes taken
    resolution_met = models.BooleanField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # satisfaction, asked when the ticket is solved
    satisfaction_rating = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    satisfaction_comment = models.TextField(_("satisfaction comment"), blank=True)
    satisfaction_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            # the agent queues: active tickets of a tier / group / assignee, most urgent first
            models.Index(fields=["tier", "queue_due_at", "id"], name="ticket_queue_tier",
                         condition=Q(status__in=ACTIVE_STATUSES)),
            models.Index(fields=["group", "queue_due_at", "id"], name="ticket_queue_group",
                         condition=Q(status__in=ACTIVE_STATUSES)),
            models.Index(fields=["assignee", "queue_due_at", "id"], name="ticket_queue_assignee",
                         condition=Q(status__in=ACTIVE_STATUSES)),
            models.Index(fields=["queue_due_at", "id"], name="ticket_queue_unassigned_due",
                         condition=Q(status__in=ACTIVE_STATUSES, assignee__isnull=True)),
            models.Index(fields=["queue_due_at", "id"], name="ticket_queue_all",
                         condition=Q(status__in=ACTIVE_STATUSES)),
            models.Index(fields=["account", "-created_at", "-id"], name="ticket_account_created"),
            models.Index(fields=["-created_at", "-id"], name="ticket_created"),
            models.Index(fields=["requester"], name="ticket_requester"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="ticket_status_known"),
            models.CheckConstraint(condition=Q(priority__in=Priority.values), name="ticket_priority_known"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="ticket_channel_known"),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="ticket_category_known"),
            models.CheckConstraint(condition=Q(tier__in=Tier.values), name="ticket_tier_known"),
            models.CheckConstraint(condition=Q(satisfaction_rating__isnull=True)
                                   | Q(satisfaction_rating__gte=1, satisfaction_rating__lte=5),
                                   name="ticket_satisfaction_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def number(self) -> int:
        return NUMBER_OFFSET + (self.pk or 0)

    @property
    def reference(self) -> str:
        """How people and mail subjects name the ticket: T-10001."""
        return f"T-{self.number}"

    @property
    def subject_tag(self) -> str:
        return f"[#{self.reference}]"


class TicketMessage(PublicModel):
    """A public reply (to or from the customer) or an internal note. Mail fields: ``message_id`` of the mail
    the reply came in as or went out as (unique, so a mail is never taken twice), and the ``in_reply_to`` /
    ``references`` it carried."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    author_contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author_email = models.EmailField(blank=True)
    body = models.TextField()
    body_html = models.TextField(blank=True, editable=False)
    message_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    references = models.TextField(blank=True)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="ticket_message_thread")]
        constraints = [models.CheckConstraint(condition=Q(kind=MessageKind.REPLY) | Q(direction=Direction.INTERNAL),
                                              name="ticket_note_is_internal")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.ticket_id}"


class TicketAttachment(PublicModel):
    """A file on a ticket (optionally on one of its messages), checked like every upload (files.logic)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(TicketMessage, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="attachments")
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    blob = models.FileField(upload_to="tickets/%Y/%m/", max_length=500)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class TicketStatusInterval(models.Model):
    """How long the ticket was in each status: the SLA clock's record (pending-customer time does not count)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="intervals")
    status = models.CharField(max_length=20, choices=Status.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["ticket", "started_at"], name="ticket_interval_ticket")]
        constraints = [models.UniqueConstraint(fields=["ticket"], condition=Q(ended_at__isnull=True),
                                               name="ticket_one_open_interval")]

    def __str__(self) -> str:
        return f"{self.status} from {self.started_at:%Y-%m-%d %H:%M}"


class TicketEvent(models.Model):
    """One step in the ticket's history (created, routed, assigned, escalated with its reason, …)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    payload = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["ticket", "occurred_at"], name="ticket_event_ticket")]

    def __str__(self) -> str:
        return f"{self.kind} at {self.occurred_at:%Y-%m-%d %H:%M}"


class SlaAlert(models.Model):
    """A claim: the warning (or breach notification) for one metric of one ticket was sent. The unique
    constraint makes the periodic job idempotent across runs and workers."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_alerts")
    metric = models.CharField(max_length=20, choices=SlaMetric.choices)
    kind = models.CharField(max_length=10, choices=AlertKind.choices)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "metric", "kind"], name="ticket_sla_alert_once")]

    def __str__(self) -> str:
        return f"{self.metric} {self.kind}"


class SlaSettings(models.Model):
    """Workspace-wide SLA settings edited in the UI (one row): how many minutes before a deadline agents are
    warned."""

    warning_minutes = models.PositiveIntegerField(_("warn this many minutes before a breach"), default=30)

    def __str__(self) -> str:
        return f"SLA settings ({self.warning_minutes} min)"


# Support mail's records live in their own module (mailboxes, raw inbound mail, the reply outbox, web-form limits).
from tandem.tickets.mail_models import InboundMail, Mailbox, OutboundMail, WebFormSubmission  # noqa: E402, F401
