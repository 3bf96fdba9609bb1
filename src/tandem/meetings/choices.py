from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class Repeat(models.TextChoices):
    """The recurrence choices of the meeting form; "custom" takes an RRULE as written."""

    NONE = "none", _("Does not repeat")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    CUSTOM = "custom", _("Custom (RRULE)")


class BusySource(models.TextChoices):
    CALDAV = "caldav", _("Calendar (CalDAV)")


class SyncStatus(models.TextChoices):
    NEVER = "never", _("Not synced yet")
    OK = "ok", _("Synced")
    FAILED = "failed", _("Failed")
