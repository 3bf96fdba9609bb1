"""Notifications (the in-app inbox), per-kind preferences, chat webhooks, the delivery outbox and follows."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.core.models import new_public_id
from tandem.identity.models import Team
from tandem.notifications.choices import Channel


class Notification(models.Model):
    """One item in a person's inbox. ``event_key`` names the event that caused it, so the same event never
    notifies the same person twice. The source record is referred to generically (content type + id) with the
    ``url`` and ``title`` the caller gave, so this app never imports the apps that notify."""

    public_id = models.CharField(max_length=24, unique=True, default=new_public_id, editable=False)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    source_id = models.BigIntegerField(null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    event_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    in_inbox = models.BooleanField(default=True)  # False when the person turned the in-app channel off
    in_digest = models.BooleanField(default=False)  # waiting for (or included in) the daily digest
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "event_key"],
                                               name="notification_once_per_event")]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True, in_inbox=True),
                         name="notification_unread"),
            models.Index(fields=["recipient"], condition=Q(in_digest=True, digested_at__isnull=True),
                         name="notification_digest_due"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.title}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(models.Model):
    """How one person wants one kind of notification. Without a row the kind's default channels apply."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    kind = models.CharField(max_length=40)
    in_app = models.BooleanField(_("in the app"), default=True)
    email = models.BooleanField(_("email immediately"), default=False)
    digest = models.BooleanField(_("daily email digest"), default=False)
    chat = models.BooleanField(_("chat"), default=False)

    class Meta:
        ordering = ["user", "kind"]
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}"

    @property
    def channels(self) -> frozenset[str]:
        flags = {Channel.IN_APP: self.in_app, Channel.EMAIL: self.email, Channel.DIGEST: self.digest,
                 Channel.CHAT: self.chat}
        return frozenset(str(channel) for channel, on in flags.items() if on)


class ChatWebhook(models.Model):
    """A Slack-compatible incoming-webhook URL for one person or one team. The URL is a secret: it is never
    logged, never shown in full after it was saved, and never put into an error message."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="chat_webhook")
    team = models.OneToOneField(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="chat_webhook")
    url = models.URLField(max_length=500)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(user__isnull=False, team__isnull=True)
                                              | Q(user__isnull=True, team__isnull=False),
                                              name="chat_webhook_user_or_team")]

    def __str__(self) -> str:
        return f"chat webhook of {self.user or self.team}"


class DeliveryOutbox(models.Model):
    """Work that must reach a person outside the app (an email, a chat message), written in the same transaction
    as the notification. A worker claims a row, sends it and marks it delivered; failures are retried with
    exponential backoff until ``TANDEM_NOTIFY_MAX_ATTEMPTS``, then marked failed for an administrator to see."""

    notification = models.ForeignKey(Notification, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="deliveries")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    dedupe_key = models.CharField(max_length=200, unique=True)
    payload = models.JSONField(default=dict)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)  # a worker's lease while it sends
    claim_token = models.CharField(max_length=32, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["next_attempt_at", "id"]
        indexes = [models.Index(fields=["next_attempt_at", "id"], condition=Q(delivered_at__isnull=True,
                                                                             failed_at__isnull=True),
                                name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.channel} to {self.recipient} ({self.status})"

    @property
    def status(self) -> str:
        if self.delivered_at:
            return "delivered"
        return "failed" if self.failed_at else "pending"


class Follow(models.Model):
    """``user`` follows a record (an account, a contact, …) to hear about what happens on it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "content_type", "object_id"], name="follow_once")]
        indexes = [models.Index(fields=["content_type", "object_id"], name="follow_target")]

    def __str__(self) -> str:
        return f"{self.user} follows {self.content_type.model} {self.object_id}"
