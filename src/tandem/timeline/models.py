"""The timeline: every interaction with a customer and everything that happened to its account."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.choices import LifecycleStage
from tandem.accounts.models import Account
from tandem.contacts.models import Contact
from tandem.core.models import PublicModel
from tandem.files.models import StoredFile
from tandem.timeline.choices import SYSTEM_TYPES, ActivityType, Direction


class Activity(PublicModel):
    """One entry on an account's timeline: a call, an email, a meeting, a note, a chat (logged by people) or a
    stage change, ticket event or system event (recorded by Tandem). ``body`` is the markdown source and
    ``body_html`` its sanitized rendering; ``source`` points at the record that caused a recorded entry (a stage
    change, later a ticket or a renewal); ``payload`` holds the facts of a recorded entry (e.g. the stages)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="activities",
                                verbose_name=_("account"))
    type = models.CharField(_("type"), max_length=20, choices=ActivityType.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.NONE)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    body_html = models.TextField(blank=True, editable=False)
    contacts = models.ManyToManyField(Contact, blank=True, related_name="activities", verbose_name=_("contacts"))
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="activities",
                                          verbose_name=_("internal participants"))
    attachments = models.ManyToManyField(StoredFile, blank=True, related_name="activities",
                                         verbose_name=_("attachments"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    payload = models.JSONField(default=dict, blank=True)
    message_id = models.CharField(_("email message id"), max_length=255, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["account", "-occurred_at", "-id"], name="activity_account_feed"),
            models.Index(fields=["source_type", "source_id"], name="activity_source"),
            models.Index(fields=["account", "message_id"], name="activity_message_id"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(type__in=ActivityType.values), name="activity_type_known"),
            models.CheckConstraint(condition=models.Q(direction__in=Direction.values),
                                   name="activity_direction_known"),
        ]

    def __str__(self) -> str:
        return self.subject or self.get_type_display()

    @property
    def is_recorded_by_tandem(self) -> bool:
        return self.type in SYSTEM_TYPES

    @property
    def stage_labels(self) -> tuple[str, str]:
        """The stages of a stage change, in the reader's language."""
        def label(code: str) -> str:
            return str(LifecycleStage(code).label) if code in LifecycleStage.values else code

        return label(self.payload.get("from", "")), label(self.payload.get("to", ""))
