from django.db import models
from django.utils.translation import gettext_lazy as _


class HandoffStatus(models.TextChoices):
    """A handoff is open while pending; the other three close it."""

    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


class HandoffStep(models.TextChoices):
    """What happened to a handoff (one HandoffEvent row per step; the timeline entry points at it)."""

    STARTED = "started", _("Started")
    TICKED = "ticked", _("Checklist changed")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
