"""Meetings (single or recurring, with their exceptions), reminder claims, the calendar feed token, CalDAV
accounts with what was synced, busy time from people's calendars, and working hours."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import Account
from tandem.contacts.models import Contact
from tandem.core.models import PublicModel, TimeStampedModel
from tandem.meetings.choices import BusySource, MeetingStatus, SyncStatus


class Meeting(PublicModel):
    """A calendar entry: one occurrence, or a series when ``rrule`` is set (RFC 5545 RRULE without DTSTART).
    ``start``/``end`` are the first occurrence in UTC; the series repeats in the wall-clock time of
    ``time_zone`` (the organiser's zone when it was planned). ``exdates`` are the UTC starts of cancelled
    occurrences; moved occurrences are ``MeetingOverride`` rows. ``outcome_notes`` are a one-off meeting's; a
    series keeps them per occurrence (``MeetingOutcome``). ``series_end`` is the end of the last
    occurrence (None: the series never ends), so queries can skip finished series. ``sequence`` counts the
    changes calendars must see (RFC 5545 SEQUENCE)."""

    title = models.CharField(_("title"), max_length=200)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="organised_meetings",
                                  verbose_name=_("organiser"))
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings",
                                verbose_name=_("account"))
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="meetings",
                                       verbose_name=_("attendees"))
    contacts = models.ManyToManyField(Contact, blank=True, related_name="meetings", verbose_name=_("contacts"))
    location = models.CharField(_("location"), max_length=300, blank=True)
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    agenda_html = models.TextField(blank=True, editable=False)
    outcome_notes = models.TextField(_("outcome notes"), blank=True)
    outcome_activity_id = models.BigIntegerField(null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=MeetingStatus.choices,
                              default=MeetingStatus.SCHEDULED)
    rrule = models.CharField(_("recurrence rule"), max_length=500, blank=True)
    exdates = models.JSONField(_("cancelled occurrences"), default=list, blank=True)
    series_end = models.DateTimeField(null=True, blank=True, editable=False)
    reminder_minutes = models.PositiveIntegerField(_("reminder (minutes before)"), default=15)
    sequence = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["start", "id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [
            models.Index(fields=["start", "id"], name="meeting_start"),
            models.Index(fields=["status", "series_end"], name="meeting_status_series_end"),
            models.Index(fields=["account", "start"], name="meeting_account_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="meeting_ends_after_start"),
            models.CheckConstraint(condition=models.Q(status__in=MeetingStatus.values), name="meeting_status_known"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def duration(self) -> datetime.timedelta:
        return self.end - self.start

    @property
    def is_recurring(self) -> bool:
        return bool(self.rrule)

    @property
    def ical_uid(self) -> str:
        return f"{self.public_id}@tandem"


class MeetingOverride(models.Model):
    """One occurrence of a series moved to another time and/or retitled (RFC 5545 RECURRENCE-ID). An empty
    ``title`` means the series' title."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="overrides")
    original_start = models.DateTimeField()
    start = models.DateTimeField()
    end = models.DateTimeField()
    title = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["original_start"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "original_start"], name="meeting_override_once"),
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="override_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.original_start:%Y-%m-%d %H:%M} → {self.start:%Y-%m-%d %H:%M}"


class MeetingOutcome(TimeStampedModel):
    """The outcome notes of one occurrence of a series, identified by its original start (as RECURRENCE-ID
    identifies it in a calendar). Saved notes are one meeting activity on the account's timeline
    (``activity_id``), updated when the notes change. One-off meetings keep their notes on the meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="outcomes")
    occurrence_start = models.DateTimeField()
    notes = models.TextField(_("outcome notes"), blank=True)
    activity_id = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["occurrence_start"]
        constraints = [models.UniqueConstraint(fields=["meeting", "occurrence_start"], name="meeting_outcome_once")]

    def __str__(self) -> str:
        return f"{self.meeting} @ {self.occurrence_start:%Y-%m-%d %H:%M}"


class ReminderClaim(models.Model):
    """The reminder of one occurrence was sent: the row is inserted in the transaction that notifies, and its
    unique key lets exactly one of several workers do it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reminder_claims")
    occurrence_start = models.DateTimeField()
    claimed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "occurrence_start"], name="reminder_once")]

    def __str__(self) -> str:
        return f"{self.meeting} @ {self.occurrence_start:%Y-%m-%d %H:%M}"


class CalendarFeedToken(TimeStampedModel):
    """A person's secret iCalendar feed address; only the SHA-256 hash of the secret is kept."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)

    def __str__(self) -> str:
        return f"{self.user} ({self.prefix}…)"


class CalendarAccount(TimeStampedModel):
    """A person's CalDAV calendar. ``password_encrypted`` is Fernet ciphertext under a key derived from the
    SECRET_KEY; ``calendar_url`` is the calendar found (or made) on the server at the first sync."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_account")
    url = models.URLField(_("CalDAV address"), max_length=500)
    username = models.CharField(_("user name"), max_length=200)
    password_encrypted = models.TextField(blank=True, editable=False)
    calendar_url = models.CharField(max_length=500, blank=True, editable=False)
    enabled = models.BooleanField(_("sync enabled"), default=True)
    status = models.CharField(max_length=10, choices=SyncStatus.choices, default=SyncStatus.NEVER)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_summary = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.url}"


class SyncedEvent(models.Model):
    """A Tandem meeting as it was last pushed to (or pulled from) one CalDAV calendar: where it lives, its
    ETag then, and the meeting's ``sequence`` then — so the next sync tells who changed what."""

    calendar = models.ForeignKey(CalendarAccount, on_delete=models.CASCADE, related_name="synced_events")
    meeting = models.ForeignKey(Meeting, null=True, on_delete=models.SET_NULL, related_name="synced_events")
    uid = models.CharField(max_length=200)
    href = models.CharField(max_length=500)
    etag = models.CharField(max_length=200, blank=True)
    sequence = models.PositiveIntegerField(default=0)
    synced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["calendar", "uid"], name="synced_event_once")]

    def __str__(self) -> str:
        return self.uid


class BusyTime(models.Model):
    """A block of time a person is busy with something outside Tandem (an event in their own calendar)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="busy_times")
    start = models.DateTimeField()
    end = models.DateTimeField()
    source = models.CharField(max_length=10, choices=BusySource.choices, default=BusySource.CALDAV)
    external_uid = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["user", "start"], name="busy_user_start")]
        constraints = [models.CheckConstraint(condition=models.Q(end__gt=models.F("start")),
                                              name="busy_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.user} busy {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M}"


class WorkingHours(models.Model):
    """When a person takes meetings, in their own time zone (``User.time_zone``). ``days`` are ISO weekdays
    (1 = Monday … 7 = Sunday). Without a row: Monday to Friday, 09:00–17:00."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_hours")
    days = models.JSONField(_("working days"), default=list)
    day_start = models.TimeField(_("from"), default=datetime.time(9, 0))
    day_end = models.TimeField(_("until"), default=datetime.time(17, 0))

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(day_end__gt=models.F("day_start")),
                                              name="working_hours_end_after_start")]

    def __str__(self) -> str:
        return f"{self.user}: {self.day_start}–{self.day_end}"
