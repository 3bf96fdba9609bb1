"""Pure logic for meetings: recurrence rules (RFC 5545 RRULE) checked and expanded with their exceptions, the
free-slot finder, the calendar feed's secret and the CalDAV password's encryption. No database here."""

from __future__ import annotations

import base64
import datetime
import hashlib
import re
import secrets
import warnings
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from dateutil import rrule as dateutil_rrule

UTC = datetime.UTC
MAX_COUNT = 730  # COUNT above this is refused: two years of daily meetings
MAX_EXPANSION = 1000  # occurrences returned by one expansion, whatever the window
SEARCH_YEARS = 5  # a rule must produce an occurrence within this many years of its start
ALLOWED_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
RULE_PART = re.compile(r"^[A-Z]+=[A-Za-z0-9,+\-:]+$")
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class RuleError(ValueError):
    """A recurrence rule Tandem will not store; the message says why, for people."""


# --- time zones ----------------------------------------------------------------------------------------------


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The IANA zone ``name``; RuleError when unknown."""
    try:
        if not name or name != name.strip() or ".." in name or name.startswith("/"):
            raise zoneinfo.ZoneInfoNotFoundError(name)
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise RuleError(f"Unknown time zone: {name}") from None


def is_time_zone(name: str) -> bool:
    try:
        zone(name)
    except RuleError:
        return False
    return True


# --- recurrence ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Override:
    """One occurrence moved and/or retitled; ``title`` empty: the series' title."""

    original_start: datetime.datetime
    start: datetime.datetime
    end: datetime.datetime
    title: str = ""


@dataclass(frozen=True)
class Series:
    """A meeting as far as its times go: first occurrence (UTC), zone, rule and exceptions."""

    start: datetime.datetime
    end: datetime.datetime
    time_zone: str = "UTC"
    rrule: str = ""
    exdates: frozenset[datetime.datetime] = frozenset()
    overrides: tuple[Override, ...] = ()


@dataclass(frozen=True)
class Occurrence:
    """One occurrence: ``original_start`` identifies it within its series (RECURRENCE-ID), ``start``/``end`` are
    where it takes place (differs when it was moved); ``title`` is its own title when it was retitled ("": the
    series' title)."""

    start: datetime.datetime
    end: datetime.datetime
    original_start: datetime.datetime
    moved: bool = False
    title: str = ""


@dataclass(frozen=True)
class RuleFacts:
    """A checked rule in its normal form, and when the series ends (None: never)."""

    rrule: str
    series_end: datetime.datetime | None


def normalise_rule(text: str) -> str:
    """``RRULE:FREQ=weekly; byday=MO`` → ``FREQ=WEEKLY;BYDAY=MO``; RuleError when it is not a plain RRULE."""
    value = (text or "").strip()
    if value.upper().startswith("RRULE:"):
        value = value[6:]
    if not value:
        raise RuleError("The recurrence rule is empty.")
    if len(value) > 500 or "\n" in value or "\r" in value:
        raise RuleError("The recurrence rule is too long or spans several lines.")
    parts = [part.strip() for part in value.split(";") if part.strip()]
    normal = []
    for part in parts:
        name, _sep, setting = part.partition("=")
        part = f"{name.strip().upper()}={setting.strip().upper()}"
        if not RULE_PART.match(part):
            raise RuleError(f"Not a recurrence rule part: {part}")
        normal.append(part)
    names = [part.split("=", 1)[0] for part in normal]
    if len(set(names)) != len(names):
        raise RuleError("A part of the recurrence rule appears twice.")
    if "DTSTART" in names:
        raise RuleError("Leave DTSTART out of the rule; the meeting's start is the series' start.")
    return ";".join(normal)


def _rule(series: Series) -> dateutil_rrule.rrule:
    tz = zone(series.time_zone)
    dtstart = series.start.astimezone(tz)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = dateutil_rrule.rrulestr(series.rrule, dtstart=dtstart, forceset=False, unfold=False)
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise RuleError(f"Not a valid recurrence rule: {error}") from None
    if not isinstance(parsed, dateutil_rrule.rrule):
        raise RuleError("Only a single RRULE is supported.")
    return parsed


def _bounded(rule: dateutil_rrule.rrule, until: datetime.datetime) -> dateutil_rrule.rrule:
    """``rule`` stopping at ``until`` at the latest (keeps COUNT): iteration always ends, even for rules that
    never match a date."""
    current = rule._until  # noqa: SLF001 - dateutil exposes no reader
    if current is not None and current.tzinfo is None:
        current = current.replace(tzinfo=until.tzinfo)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # COUNT together with UNTIL is deprecated in dateutil, and fine here
        return rule.replace(until=min(current, until) if current is not None else until)


def check_rule(*, rrule: str, start: datetime.datetime, end: datetime.datetime, time_zone: str) -> RuleFacts:
    """Check a rule for a series starting at ``start``: a supported frequency, a sane COUNT, at least one
    occurrence within five years. Returns the normal form and the series' end."""
    text = normalise_rule(rrule)
    settings = dict(part.split("=", 1) for part in text.split(";"))
    frequency = settings.get("FREQ")
    if frequency is None:
        raise RuleError("The recurrence rule needs a FREQ (DAILY, WEEKLY, MONTHLY or YEARLY).")
    if frequency not in ALLOWED_FREQUENCIES:
        raise RuleError("Meetings repeat at most daily: use FREQ=DAILY, WEEKLY, MONTHLY or YEARLY.")
    if "COUNT" in settings and "UNTIL" in settings:
        raise RuleError("Give either COUNT or UNTIL, not both.")
    if "COUNT" in settings and (not settings["COUNT"].isdigit() or not 1 <= int(settings["COUNT"]) <= MAX_COUNT):
        raise RuleError(f"COUNT must be between 1 and {MAX_COUNT}.")
    if "INTERVAL" in settings and (not settings["INTERVAL"].isdigit() or not 1 <= int(settings["INTERVAL"]) <= 1000):
        raise RuleError("INTERVAL must be between 1 and 1000.")
    if "UNTIL" in settings and not re.fullmatch(r"\d{8}(T\d{6}Z?)?", settings["UNTIL"]):
        raise RuleError("UNTIL must be a date (20250131) or a UTC time (20250131T235959Z).")
    series = Series(start=start, end=end, time_zone=time_zone, rrule=text)
    rule = _rule(series)
    horizon = start.astimezone(zone(time_zone)) + datetime.timedelta(days=366 * SEARCH_YEARS)
    first = next(iter(_bounded(rule, horizon)), None)
    if first is None:
        raise RuleError("The recurrence rule produces no occurrence in the next five years.")
    series_end = None
    if "COUNT" in settings:
        occurrences = list(_bounded(rule, start.astimezone(zone(time_zone)) + datetime.timedelta(days=366 * 30)))
        series_end = occurrences[-1].astimezone(UTC) + (end - start)
    elif rule._until is not None:  # noqa: SLF001
        last = rule._until  # noqa: SLF001
        if last.tzinfo is None:
            last = last.replace(tzinfo=zone(time_zone))
        series_end = last.astimezone(UTC) + (end - start)
    return RuleFacts(rrule=text, series_end=series_end)


def expand(series: Series, *, window_start: datetime.datetime, window_end: datetime.datetime,
           limit: int = MAX_EXPANSION) -> list[Occurrence]:
    """The occurrences overlapping [window_start, window_end), by start: the rule expanded in the wall-clock
    time of the series' zone (a 10:00 Berlin meeting stays at 10:00 across DST), cancelled ones (exdates) left
    out, moved ones (overrides) at their new time. At most ``limit``."""
    duration = series.end - series.start
    moved = {override.original_start: override for override in series.overrides}
    originals: Iterable[datetime.datetime]
    if series.rrule:
        rule = _rule(series)
        # a moved occurrence may come into the window from far away: look a little wider, then filter
        slack = max([abs(o.start - o.original_start) for o in series.overrides], default=datetime.timedelta(0))
        until = (window_end + slack).astimezone(zone(series.time_zone))
        after = window_start - duration - slack
        originals = (moment.astimezone(UTC) for moment in _bounded(rule, until))
    else:
        originals = iter([series.start])
        after = window_start - duration - datetime.timedelta(days=36500)
    result: list[Occurrence] = []
    for original in originals:
        if original < after:
            continue
        if original in series.exdates:
            continue
        override = moved.get(original)
        if override is not None:
            occurrence = Occurrence(override.start, override.end, original, moved=True, title=override.title)
        else:
            occurrence = Occurrence(original, original + duration, original)
        if occurrence.end > window_start and occurrence.start < window_end:
            result.append(occurrence)
        if len(result) >= limit:
            break
    result.sort(key=lambda item: (item.start, item.original_start))
    return result[:limit]


def is_occurrence(series: Series, original_start: datetime.datetime) -> bool:
    """Is ``original_start`` an occurrence of the series (cancelled or not)?"""
    plain = Series(start=series.start, end=series.end, time_zone=series.time_zone, rrule=series.rrule)
    found = expand(plain, window_start=original_start, window_end=original_start + datetime.timedelta(seconds=1))
    return any(item.original_start == original_start for item in found)


def simple_rule(repeat: str, start: datetime.datetime, time_zone: str, until: datetime.date | None = None) -> str:
    """The RRULE of the form's simple choices: daily, weekly on the start's weekday, monthly on its day."""
    local = start.astimezone(zone(time_zone))
    if repeat == "daily":
        text = "FREQ=DAILY"
    elif repeat == "weekly":
        text = f"FREQ=WEEKLY;BYDAY={WEEKDAY_CODES[local.weekday()]}"
    elif repeat == "monthly":
        text = f"FREQ=MONTHLY;BYMONTHDAY={local.day}"
    else:
        return ""
    if until is not None:
        last = datetime.datetime.combine(until, datetime.time(23, 59, 59), tzinfo=zone(time_zone)).astimezone(UTC)
        text += f";UNTIL={last:%Y%m%dT%H%M%SZ}"
    return text


def describe_rule(rrule: str) -> str:
    """A short English summary for lists ("weekly", "every 2 weeks"); the rule itself when unusual."""
    if not rrule:
        return ""
    parts = dict(part.split("=", 1) for part in rrule.split(";") if "=" in part)
    unit = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}.get(parts.get("FREQ", ""), "")
    if not unit:
        return rrule
    interval = int(parts.get("INTERVAL", "1") or 1)
    return f"every {unit}" if interval == 1 else f"every {interval} {unit}s"


# --- free slots ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Availability:
    """One person for the slot finder: their zone, working days (ISO weekdays, 1 = Monday), working hours and
    the times they are busy (UTC intervals)."""

    key: str
    time_zone: str
    days: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    day_start: datetime.time = datetime.time(9, 0)
    day_end: datetime.time = datetime.time(17, 0)
    busy: tuple[tuple[datetime.datetime, datetime.datetime], ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Slot:
    start: datetime.datetime
    end: datetime.datetime


Interval = tuple[datetime.datetime, datetime.datetime]


def _working_intervals(person: Availability, start: datetime.datetime, end: datetime.datetime) -> list[Interval]:
    """The person's working hours between ``start`` and ``end`` as UTC intervals. Local times that do not exist
    (a DST gap) move forward with the clock; the day keeps its real length."""
    tz = zone(person.time_zone)
    day = start.astimezone(tz).date() - datetime.timedelta(days=1)
    last_day = end.astimezone(tz).date() + datetime.timedelta(days=1)
    intervals = []
    while day <= last_day:
        if day.isoweekday() in person.days:
            opens = _local_instant(day, person.day_start, tz)
            closes = _local_instant(day, person.day_end, tz)
            lower, upper = max(opens, start), min(closes, end)
            if upper > lower:
                intervals.append((lower, upper))
        day += datetime.timedelta(days=1)
    return intervals


def _local_instant(day: datetime.date, time: datetime.time, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    local = datetime.datetime.combine(day, time, tzinfo=tz)
    wall = local.replace(tzinfo=None)
    instant = local.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) == wall:
        return instant
    # In a gap (the clock jumps over this time): the first instant whose local time is past it, i.e. the jump.
    low, high = local.replace(fold=1).astimezone(UTC), instant
    low, high = min(low, high), max(low, high)
    while high - low > datetime.timedelta(minutes=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return high.replace(second=0, microsecond=0)


def _intersect(left: list[Interval], right: list[Interval]) -> list[Interval]:
    result = []
    i = j = 0
    while i < len(left) and j < len(right):
        lower = max(left[i][0], right[j][0])
        upper = min(left[i][1], right[j][1])
        if upper > lower:
            result.append((lower, upper))
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return result


def _subtract(intervals: list[Interval], busy: Sequence[Interval]) -> list[Interval]:
    blocks = sorted(busy)
    result = []
    for lower, upper in intervals:
        cursor = lower
        for busy_start, busy_end in blocks:
            if busy_end <= cursor or busy_start >= upper:
                continue
            if busy_start > cursor:
                result.append((cursor, busy_start))
            cursor = max(cursor, busy_end)
            if cursor >= upper:
                break
        if cursor < upper:
            result.append((cursor, upper))
    return result


def _ceil(moment: datetime.datetime, step: datetime.timedelta) -> datetime.datetime:
    epoch = datetime.datetime(2000, 1, 1, tzinfo=UTC)
    steps = -((epoch - moment) // step)
    return epoch + steps * step


def free_slots(people: Sequence[Availability], *, length: datetime.timedelta, start: datetime.datetime,
               days: int, count: int, step: datetime.timedelta = datetime.timedelta(minutes=15)) -> list[Slot]:
    """The first ``count`` slots of ``length`` from ``start`` within the next ``days`` days when everyone is
    within working hours and nobody is busy. Slots start on ``step`` boundaries (UTC) and do not overlap."""
    if not people or count < 1 or length <= datetime.timedelta(0):
        return []
    start = start.astimezone(UTC)
    end = start + datetime.timedelta(days=days)
    common = _working_intervals(people[0], start, end)
    for person in people[1:]:
        common = _intersect(common, _working_intervals(person, start, end))
    busy = [(max(b_start, start), min(b_end, end)) for person in people for b_start, b_end in person.busy
            if b_end > start and b_start < end]
    free = _subtract(common, busy)
    slots: list[Slot] = []
    for lower, upper in free:
        moment = _ceil(lower, step)
        while moment + length <= upper and len(slots) < count:
            slots.append(Slot(moment, moment + length))
            moment = _ceil(moment + length, step)
        if len(slots) >= count:
            break
    return slots


# --- secrets -------------------------------------------------------------------------------------------------


FEED_PREFIX = "cal_"


def new_feed_secret() -> str:
    return FEED_PREFIX + secrets.token_urlsafe(32)


def feed_secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"tandem.meetings", info=b"caldav-password").derive(
        secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_password(password: str, *, secret_key: str) -> str:
    return _fernet(secret_key).encrypt(password.encode()).decode() if password else ""


def decrypt_password(ciphertext: str, *, secret_key: str) -> str:
    """The password; "" when there is none or the key changed (the person enters it again)."""
    if not ciphertext:
        return ""
    try:
        return _fernet(secret_key).decrypt(ciphertext.encode()).decode()
    except (InvalidToken, ValueError):
        return ""
