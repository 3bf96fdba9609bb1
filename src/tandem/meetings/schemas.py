from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field


class PersonRef(Schema):
    id: str
    name: str
    email: str = ""


class AccountRef(Schema):
    id: str
    name: str


class OccurrenceOut(Schema):
    start: datetime
    end: datetime
    original_start: datetime = Field(description="Identifies the occurrence in its series (RECURRENCE-ID)")
    moved: bool


class OccurrenceNotesOut(Schema):
    occurrence_start: datetime = Field(description="The occurrence's original start (RECURRENCE-ID)")
    notes: str = Field(description="Markdown")
    updated_at: datetime


class MeetingOut(Schema):
    id: str
    title: str
    start: datetime = Field(description="First occurrence (UTC)")
    end: datetime
    time_zone: str
    status: str
    organiser: PersonRef
    attendees: list[PersonRef]
    contacts: list[PersonRef]
    account: AccountRef | None
    location: str
    video_url: str
    agenda: str
    agenda_html: str
    outcome_notes: str = Field(description="A one-off meeting's outcome notes (a series keeps them per occurrence)")
    occurrence_notes: list[OccurrenceNotesOut] = Field(
        default_factory=list, description="A series' outcome notes, one entry per occurrence that has notes")
    rrule: str = Field(description="RFC 5545 RRULE without DTSTART; empty for a single meeting")
    exdates: list[datetime] = Field(description="Cancelled occurrences (their original starts)")
    reminder_minutes: int
    occurrences: list[OccurrenceOut] | None = Field(
        default=None, description="Occurrences in [from, to) when the list was asked for a range")
    created_at: datetime
    updated_at: datetime


class MeetingIn(Schema):
    title: str = Field(max_length=200)
    start: datetime
    end: datetime
    time_zone: str = Field(default="", max_length=64, description="IANA name; default: the organiser's")
    attendees: list[str] = Field(default_factory=list, max_length=100, description="Public ids of users")
    contacts: list[str] = Field(default_factory=list, max_length=100, description="Public ids of contacts")
    account: str | None = Field(default=None, description="Public id of the account")
    location: str = Field(default="", max_length=300)
    video_url: str = Field(default="", max_length=500)
    agenda: str = Field(default="", max_length=20000, description="Markdown")
    outcome_notes: str = Field(default="", max_length=20000, description="Markdown; becomes a meeting activity "
                                                                         "(for a series: the first occurrence's)")
    rrule: str = Field(default="", max_length=500, description="e.g. FREQ=WEEKLY;BYDAY=MO;COUNT=10")
    reminder_minutes: int = Field(default=15, ge=0, le=10080)


class MeetingPatch(Schema):
    title: str | None = Field(default=None, max_length=200)
    start: datetime | None = None
    end: datetime | None = None
    time_zone: str | None = Field(default=None, max_length=64)
    attendees: list[str] | None = Field(default=None, max_length=100)
    contacts: list[str] | None = Field(default=None, max_length=100)
    account: str | None = None
    location: str | None = Field(default=None, max_length=300)
    video_url: str | None = Field(default=None, max_length=500)
    agenda: str | None = Field(default=None, max_length=20000)
    outcome_notes: str | None = Field(default=None, max_length=20000,
                                      description="One-off meetings only; a series' notes are per occurrence")
    rrule: str | None = Field(default=None, max_length=500)
    reminder_minutes: int | None = Field(default=None, ge=0, le=10080)


class MeetingPage(Schema):
    items: list[MeetingOut]
    next_cursor: str | None


class OccurrenceCancelIn(Schema):
    occurrence_start: datetime = Field(description="The occurrence's original start")


class OutcomeIn(Schema):
    notes: str = Field(max_length=20000, description="Markdown; becomes (or updates) the occurrence's meeting "
                                                     "activity on the account's timeline")


class OutcomeOut(Schema):
    meeting: str = Field(description="Public id of the meeting")
    occurrence_start: datetime = Field(description="The occurrence's original start (RECURRENCE-ID)")
    notes: str
    activity: str | None = Field(description="Public id of the meeting activity on the account's timeline "
                                             "(null: no account, or no notes yet)")


class SlotOut(Schema):
    start: datetime
    end: datetime


class FreeSlotsOut(Schema):
    users: list[PersonRef]
    length_minutes: int
    items: list[SlotOut]


class FeedRotateOut(Schema):
    url: str = Field(description="The new secret feed address; shown only now")


class CalendarSyncIn(Schema):
    url: str = Field(max_length=500)
    username: str = Field(max_length=200)
    password: str | None = Field(default=None, max_length=500, description="Leave out to keep the stored one")
    enabled: bool = True


class CalendarSyncOut(Schema):
    configured: bool
    url: str = ""
    username: str = ""
    enabled: bool = False
    status: str = ""
    last_synced_at: datetime | None = None
    last_error: str = ""
    last_summary: dict[str, object] = Field(default_factory=dict)
