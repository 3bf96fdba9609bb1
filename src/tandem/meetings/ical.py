"""iCalendar (RFC 5545) in and out, without the database: the VEVENTs of meetings (series with RRULE, EXDATE and
RECURRENCE-ID overrides, each TZID with its VTIMEZONE) and the facts of events read back from a CalDAV server."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

import icalendar
import recurring_ical_events

from tandem.meetings.logic import UTC, Override, zone

PRODID = "-//Tandem//Tandem CRM//EN"


@dataclass(frozen=True)
class EventFacts:
    """What a calendar needs to know about a meeting."""

    uid: str
    title: str
    start: datetime.datetime
    end: datetime.datetime
    time_zone: str
    sequence: int
    updated_at: datetime.datetime
    cancelled: bool = False
    rrule: str = ""
    exdates: tuple[datetime.datetime, ...] = ()
    overrides: tuple[Override, ...] = ()
    location: str = ""
    description: str = ""
    url: str = ""
    organiser_email: str = ""
    attendee_emails: tuple[str, ...] = ()


def _vevent(facts: EventFacts, *, start: datetime.datetime, end: datetime.datetime,
            recurrence_id: datetime.datetime | None = None, title: str = "") -> icalendar.Event:
    tz = zone(facts.time_zone)
    event = icalendar.Event()
    event.add("uid", facts.uid)
    event.add("dtstamp", facts.updated_at.astimezone(UTC))
    event.add("last-modified", facts.updated_at.astimezone(UTC))
    event.add("sequence", facts.sequence)
    event.add("summary", title or facts.title)
    event.add("dtstart", start.astimezone(tz))
    event.add("dtend", end.astimezone(tz))
    event.add("status", "CANCELLED" if facts.cancelled else "CONFIRMED")
    if recurrence_id is not None:
        event.add("recurrence-id", recurrence_id.astimezone(tz))
    if facts.location:
        event.add("location", facts.location)
    if facts.description:
        event.add("description", facts.description)
    if facts.url:
        event.add("url", facts.url)
    if facts.organiser_email:
        event.add("organizer", f"mailto:{facts.organiser_email}")
    for email in facts.attendee_emails:
        event.add("attendee", f"mailto:{email}")
    return event


def add_event(calendar: icalendar.Calendar, facts: EventFacts) -> None:
    """Add the meeting's VEVENT (and one per moved occurrence) to ``calendar``."""
    master = _vevent(facts, start=facts.start, end=facts.end)
    if facts.rrule:
        master.add("rrule", icalendar.vRecur.from_ical(facts.rrule))
        tz = zone(facts.time_zone)
        if facts.exdates:
            master.add("exdate", [moment.astimezone(tz) for moment in sorted(facts.exdates)])
    calendar.add_component(master)
    if facts.rrule:
        for override in facts.overrides:
            calendar.add_component(_vevent(facts, start=override.start, end=override.end,
                                           recurrence_id=override.original_start, title=override.title))


def build_calendar(events: Sequence[EventFacts], *, name: str = "Tandem") -> bytes:
    """A VCALENDAR with every event and a VTIMEZONE for each TZID used."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for facts in events:
        add_event(calendar, facts)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def build_event_calendar(facts: EventFacts) -> str:
    """One meeting as a calendar object resource for a CalDAV PUT (no METHOD, per RFC 4791)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    add_event(calendar, facts)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()


class CalendarDataError(ValueError):
    """The server sent something that is not iCalendar data we can read."""


@dataclass(frozen=True)
class RemoteEvent:
    """The master VEVENT of an object on the CalDAV server, as facts."""

    uid: str
    title: str
    start: datetime.datetime
    end: datetime.datetime
    cancelled: bool
    location: str
    exdates: tuple[datetime.datetime, ...]
    transparent: bool


def _as_utc(value: datetime.datetime | datetime.date, default_zone: str = "UTC") -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=zone(default_zone))
        return value.astimezone(UTC)
    return datetime.datetime.combine(value, datetime.time.min, tzinfo=UTC)


def _parse(data: str | bytes) -> icalendar.Calendar:
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise CalendarDataError(f"Not iCalendar data: {error}") from None
    if not isinstance(calendar, icalendar.Calendar):
        raise CalendarDataError("Not a VCALENDAR.")
    return calendar


def parse_master(data: str | bytes) -> RemoteEvent | None:
    """The master VEVENT (the one without RECURRENCE-ID) of a calendar object; None when there is none."""
    calendar = _parse(data)
    for component in calendar.walk("VEVENT"):
        if component.get("recurrence-id") is not None:
            continue
        try:
            start = _as_utc(component.decoded("dtstart"))
            if component.get("dtend") is not None:
                end = _as_utc(component.decoded("dtend"))
            elif component.get("duration") is not None:
                end = start + component.decoded("duration")
            else:
                end = start + datetime.timedelta(hours=1)
        except (KeyError, ValueError, TypeError) as error:
            raise CalendarDataError(f"Unreadable event times: {error}") from None
        exdates: list[datetime.datetime] = []
        raw = component.get("exdate")
        for item in (raw if isinstance(raw, list) else [raw] if raw is not None else []):
            exdates.extend(_as_utc(value.dt) for value in item.dts)
        return RemoteEvent(uid=str(component.get("uid", "")), title=str(component.get("summary", "")),
                           start=start, end=end, cancelled=str(component.get("status", "")).upper() == "CANCELLED",
                           location=str(component.get("location", "")), exdates=tuple(sorted(exdates)),
                           transparent=str(component.get("transp", "")).upper() == "TRANSPARENT")
    return None


@dataclass(frozen=True)
class RemoteOverride:
    """A VEVENT with RECURRENCE-ID: one occurrence of a series changed in the calendar (moved, retitled or
    cancelled). ``recurrence_id`` is the occurrence's original start."""

    recurrence_id: datetime.datetime
    title: str
    start: datetime.datetime
    end: datetime.datetime
    cancelled: bool


def parse_overrides(data: str | bytes) -> tuple[RemoteOverride, ...]:
    """The per-occurrence VEVENTs (with RECURRENCE-ID) of a calendar object, by original start. An occurrence
    without DTEND or DURATION keeps the length of the master event."""
    calendar = _parse(data)
    master = parse_master(data)
    length = (master.end - master.start) if master is not None else datetime.timedelta(hours=1)
    found: dict[datetime.datetime, RemoteOverride] = {}
    for component in calendar.walk("VEVENT"):
        if component.get("recurrence-id") is None:
            continue
        try:
            recurrence_id = _as_utc(component.decoded("recurrence-id"))
            start = _as_utc(component.decoded("dtstart"))
            if component.get("dtend") is not None:
                end = _as_utc(component.decoded("dtend"))
            elif component.get("duration") is not None:
                end = start + component.decoded("duration")
            else:
                end = start + length
        except (KeyError, ValueError, TypeError) as error:
            raise CalendarDataError(f"Unreadable occurrence times: {error}") from None
        found[recurrence_id] = RemoteOverride(
            recurrence_id=recurrence_id, title=str(component.get("summary", "")), start=start, end=end,
            cancelled=str(component.get("status", "")).upper() == "CANCELLED")
    return tuple(found[key] for key in sorted(found))


def busy_blocks(data: str | bytes, *, window_start: datetime.datetime,
                window_end: datetime.datetime) -> list[tuple[str, datetime.datetime, datetime.datetime]]:
    """(uid, start, end) of every occurrence of the object's events in the window that blocks time: not
    cancelled, not transparent (free), not all-day. Recurrences are expanded."""
    calendar = _parse(data)
    blocks = []
    try:
        occurrences = recurring_ical_events.of(calendar).between(window_start, window_end)
    except Exception as error:  # the library raises its own error types for broken rules
        raise CalendarDataError(f"Cannot expand the events: {error}") from None
    for component in occurrences:
        if str(component.get("status", "")).upper() == "CANCELLED":
            continue
        if str(component.get("transp", "")).upper() == "TRANSPARENT":
            continue
        start_value = component.decoded("dtstart")
        if not isinstance(start_value, datetime.datetime):
            continue  # all-day events mark days, not busy hours
        start = _as_utc(start_value)
        end = _as_utc(component.decoded("dtend")) if component.get("dtend") is not None else start
        if end > start:
            blocks.append((str(component.get("uid", "")), start, end))
    return blocks
