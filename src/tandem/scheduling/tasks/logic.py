"""Pure rules of tasks: when a task is due, whether it is overdue, when to remind, and the next occurrence of a
recurring task (an RFC 5545 RRULE subset through python-dateutil). No database."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from dataclasses import dataclass

from dateutil import rrule

# The RRULE parts we accept (no BYSETPOS/BYWEEKNO/BYYEARDAY/BYHOUR…: a to-do repeats on days).
ALLOWED_PARTS = frozenset({"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "WKST"})
ALLOWED_FREQUENCIES = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})
MAX_INTERVAL = 366
MAX_COUNT = 1000
# How far ahead we look for the next occurrence; a rule whose next date lies further away is refused.
LOOKAHEAD = datetime.timedelta(days=366 * 5)
MAX_REMINDER_MINUTES = 60 * 24 * 60  # 60 days
PART = re.compile(r"^[A-Z]+=[A-Z0-9,+\-]+$")


class RuleError(ValueError):
    """An RRULE we cannot accept; the message says why (English; callers translate)."""


@dataclass(frozen=True)
class Due:
    """When a task is due: ``at`` (an aware UTC instant) and, for a task due on a day, ``date``."""

    at: datetime.datetime
    all_day: bool
    date: datetime.date | None


def due_from_local(*, date: datetime.date, time: datetime.time | None, time_zone: str) -> Due:
    """The due instant of a date (and optional wall-clock time) chosen in ``time_zone``. A task without a time
    is due at the start of that day in that zone (and overdue when the day has ended)."""
    zone = zoneinfo.ZoneInfo(time_zone)
    local = datetime.datetime.combine(date, time or datetime.time(0, 0), tzinfo=zone)
    return Due(at=local.astimezone(datetime.UTC), all_day=time is None, date=date if time is None else None)


def overdue_after(due: Due) -> datetime.datetime:
    """The instant from which the task counts as overdue."""
    return due.at + datetime.timedelta(days=1) if due.all_day else due.at


def is_overdue(*, due_at: datetime.datetime | None, all_day: bool, now: datetime.datetime) -> bool:
    if due_at is None:
        return False
    return now >= (due_at + datetime.timedelta(days=1) if all_day else due_at)


def remind_at(*, due_at: datetime.datetime | None, reminder_minutes: int | None) -> datetime.datetime | None:
    if due_at is None or reminder_minutes is None:
        return None
    return due_at - datetime.timedelta(minutes=reminder_minutes)


@dataclass(frozen=True)
class DayWindow:
    """[start, end) of the local day and week containing ``now``, as UTC instants (for "today"/"this week")."""

    today_start: datetime.datetime
    today_end: datetime.datetime
    week_end: datetime.datetime


def day_window(*, now: datetime.datetime, time_zone: str) -> DayWindow:
    local = now.astimezone(zoneinfo.ZoneInfo(time_zone))
    start = datetime.datetime.combine(local.date(), datetime.time(0, 0), tzinfo=local.tzinfo)
    end = datetime.datetime.combine(local.date() + datetime.timedelta(days=1), datetime.time(0, 0),
                                    tzinfo=local.tzinfo)
    week_end = datetime.datetime.combine(local.date() + datetime.timedelta(days=7 - local.weekday()),
                                         datetime.time(0, 0), tzinfo=local.tzinfo)
    return DayWindow(today_start=start.astimezone(datetime.UTC), today_end=end.astimezone(datetime.UTC),
                     week_end=week_end.astimezone(datetime.UTC))


def normalise_rule(text: str) -> str:
    """The RRULE in canonical form ("FREQ=WEEKLY;BYDAY=MO"), without the ``RRULE:`` prefix; "" for none.
    Raises RuleError for anything outside the subset or that dateutil cannot parse."""
    rule = text.strip().upper()
    if rule.startswith("RRULE:"):
        rule = rule[len("RRULE:"):]
    if not rule:
        return ""
    if len(rule) > 500:
        raise RuleError("The rule is too long.")
    parts: dict[str, str] = {}
    for part in rule.strip(";").split(";"):
        if not PART.match(part):
            raise RuleError(f"Not a rule part: {part!r}.")
        name, value = part.split("=", 1)
        if name not in ALLOWED_PARTS:
            raise RuleError(f"{name} is not supported (use FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, "
                            "BYMONTH).")
        if name in parts:
            raise RuleError(f"{name} is given twice.")
        parts[name] = value
    if parts.get("FREQ") not in ALLOWED_FREQUENCIES:
        raise RuleError("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY.")
    if "COUNT" in parts and "UNTIL" in parts:
        raise RuleError("Give COUNT or UNTIL, not both.")
    if "INTERVAL" in parts and not (parts["INTERVAL"].isdigit() and 1 <= int(parts["INTERVAL"]) <= MAX_INTERVAL):
        raise RuleError(f"INTERVAL must be between 1 and {MAX_INTERVAL}.")
    if "COUNT" in parts and not (parts["COUNT"].isdigit() and 1 <= int(parts["COUNT"]) <= MAX_COUNT):
        raise RuleError(f"COUNT must be between 1 and {MAX_COUNT}.")
    if "BYMONTH" in parts and "BYMONTHDAY" in parts and _never_occurs(parts["BYMONTH"], parts["BYMONTHDAY"]):
        raise RuleError("The rule never occurs (no such day in those months).")
    canonical = ";".join(f"{name}={parts[name]}" for name in ["FREQ", *sorted(set(parts) - {"FREQ"})])
    try:
        rrule.rrulestr(canonical, dtstart=datetime.datetime(2000, 1, 1), ignoretz=True)
    except (ValueError, TypeError) as error:
        raise RuleError(f"Not a valid rule: {error}") from None
    return canonical


@dataclass(frozen=True)
class Occurrence:
    """The next task of a series: its due and the rule it carries on with (COUNT lowered by one)."""

    due: Due
    rule: str


DAYS_IN_MONTH = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


def _never_occurs(months: str, days: str) -> bool:
    try:
        month_numbers = [int(value) for value in months.split(",")]
        day_numbers = [int(value) for value in days.split(",")]
    except ValueError:
        return False  # dateutil reports the bad value
    longest = max((DAYS_IN_MONTH.get(month, 31) for month in month_numbers), default=31)
    return all(abs(day) > longest for day in day_numbers)


def next_occurrence(*, rule: str, due: Due, time_zone: str) -> Occurrence | None:
    """The occurrence after ``due``, or None when the series has ended (COUNT used up, UNTIL passed, or nothing
    within five years). Each task carries the rest of its series: a task with COUNT=3 is followed by one with
    COUNT=2, and a task with COUNT=1 is the last.

    Recurrence runs on wall-clock time in ``time_zone`` — a weekly task due Mondays 09:00 Berlin stays at 09:00
    across daylight-saving changes; an all-day task repeats on dates."""
    canonical = normalise_rule(rule)
    if not canonical:
        return None
    parts = dict(part.split("=", 1) for part in canonical.split(";"))
    if "COUNT" in parts:
        if int(parts["COUNT"]) <= 1:
            return None
        parts["COUNT"] = str(int(parts["COUNT"]) - 1)
    zone = zoneinfo.ZoneInfo(time_zone)
    if due.all_day and due.date is not None:
        start = datetime.datetime.combine(due.date, datetime.time(0, 0))
    else:
        start = due.at.astimezone(zone).replace(tzinfo=None)
    parsed = rrule.rrulestr(canonical, dtstart=start, ignoretz=True)
    assert isinstance(parsed, rrule.rrule)
    following = _first_after(parsed, start)
    if following is None:
        return None
    rest = ";".join(f"{name}={value}" for name, value in parts.items())
    if due.all_day:
        return Occurrence(due_from_local(date=following.date(), time=None, time_zone=time_zone), rest)
    return Occurrence(due_from_local(date=following.date(), time=following.time(), time_zone=time_zone), rest)


def _first_after(parsed: rrule.rrule, start: datetime.datetime) -> datetime.datetime | None:
    """The first occurrence after ``start`` within LOOKAHEAD. The rule is cut at the horizon first, so an
    impossible rule (30 February) stops there instead of searching up to the year 9999. COUNT is dropped: the
    caller has checked that at least one more occurrence remains."""
    horizon = start + LOOKAHEAD
    until = parsed._until  # noqa: SLF001 — dateutil exposes no public accessor
    bounded = parsed.replace(count=None, until=min(until, horizon) if until is not None else horizon)
    return bounded.after(start, inc=False)
