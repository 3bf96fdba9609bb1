"""Pure ticket logic, no database: business-time arithmetic and SLA timers over recorded status intervals,
routing-rule matching, ticket references in mail subjects, and the statistics of the reports.

Times are aware datetimes; business hours are weekly windows in a calendar's time zone, minus holidays (whole
local days). The SLA clock runs only in business time and stands still while a ticket waits for the customer."""

from __future__ import annotations

import datetime
import math
import re
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DAY = datetime.timedelta(days=1)
MAX_DAYS = 3660  # a target further away than ten years of business time is treated as never due
REFERENCE = re.compile(r"\[#T-(?P<number>\d{1,12})\]")
TIME = re.compile(r"^(?P<hour>\d{1,2}):(?P<minute>\d{2})$")


# --- business hours --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """Working time on one weekday (0 = Monday), from ``start`` to ``end`` minutes after local midnight."""

    weekday: int
    start: int
    end: int


@dataclass(frozen=True)
class Calendar:
    """Business hours: ``windows`` in ``time_zone``, except ``holidays`` (local dates). No windows: around the
    clock (holidays still excluded)."""

    time_zone: str = "UTC"
    windows: tuple[Window, ...] = ()
    holidays: frozenset[datetime.date] = frozenset()

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


def _minutes(text: str) -> int:
    match = TIME.match(str(text).strip())
    if not match:
        raise ValueError(f"{text!r} is not a time like 09:00")
    hour, minute = int(match["hour"]), int(match["minute"])
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        raise ValueError(f"{text!r} is not a time of day")
    return hour * 60 + minute


def parse_windows(raw: Iterable[Sequence[object]]) -> tuple[Window, ...]:
    """``[[weekday, "HH:MM", "HH:MM"], …]`` → windows, sorted; ValueError naming the first bad entry."""
    windows = []
    for entry in raw:
        if not isinstance(entry, list | tuple) or len(entry) != 3:
            raise ValueError(f"{entry!r} is not [weekday, start, end]")
        weekday = entry[0]
        if not isinstance(weekday, int) or isinstance(weekday, bool) or not 0 <= weekday <= 6:
            raise ValueError(f"{weekday!r} is not a weekday (0 = Monday … 6 = Sunday)")
        start, end = _minutes(str(entry[1])), _minutes(str(entry[2]))
        if end <= start:
            raise ValueError(f"{entry[1]}–{entry[2]} ends before it starts")
        windows.append(Window(weekday=weekday, start=start, end=end))
    windows.sort(key=lambda window: (window.weekday, window.start))
    for first, second in zip(windows, windows[1:], strict=False):
        if first.weekday == second.weekday and second.start < first.end:
            raise ValueError("windows on the same day overlap")
    return tuple(windows)


def format_windows(windows: Iterable[Window]) -> list[list[object]]:
    return [[window.weekday, f"{window.start // 60:02d}:{window.start % 60:02d}",
             f"{window.end // 60:02d}:{window.end % 60:02d}"] for window in windows]


def _local_instant(day: datetime.date, minutes: int, zone: zoneinfo.ZoneInfo) -> datetime.datetime:
    base = datetime.datetime.combine(day, datetime.time(), tzinfo=zone)
    if minutes >= 24 * 60:
        return datetime.datetime.combine(day + DAY, datetime.time(), tzinfo=zone).astimezone(datetime.UTC)
    return base.replace(hour=minutes // 60, minute=minutes % 60).astimezone(datetime.UTC)


def _day_spans(calendar: Calendar, day: datetime.date) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The business spans (UTC) of one local day."""
    if day in calendar.holidays:
        return []
    zone = calendar.zone
    if not calendar.windows:
        return [(_local_instant(day, 0, zone), _local_instant(day, 24 * 60, zone))]
    return [(_local_instant(day, window.start, zone), _local_instant(day, window.end, zone))
            for window in calendar.windows if window.weekday == day.weekday()]


def business_seconds(calendar: Calendar, start: datetime.datetime, end: datetime.datetime) -> float:
    """Business time between two instants, in seconds (0 when ``end`` is not after ``start``)."""
    if end <= start:
        return 0.0
    zone = calendar.zone
    day = start.astimezone(zone).date() - DAY  # a window of the previous local day cannot reach in, but be safe
    last = end.astimezone(zone).date()
    total = 0.0
    while day <= last:
        for span_start, span_end in _day_spans(calendar, day):
            overlap = (min(span_end, end) - max(span_start, start)).total_seconds()
            if overlap > 0:
                total += overlap
        day += DAY
    return total


def add_business_seconds(calendar: Calendar, start: datetime.datetime,
                         seconds: float) -> datetime.datetime | None:
    """The instant when ``seconds`` of business time have passed after ``start`` (None: not within ten years,
    e.g. a calendar without any working day)."""
    zone = calendar.zone
    day = start.astimezone(zone).date() - DAY
    remaining = max(seconds, 0.0)
    for _ in range(MAX_DAYS):
        for span_start, span_end in _day_spans(calendar, day):
            begin = max(span_start, start)
            if span_end <= begin:
                continue
            available = (span_end - begin).total_seconds()
            if remaining <= available:
                return begin + datetime.timedelta(seconds=remaining)
            remaining -= available
        day += DAY
    return None


# --- SLA timers --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """The ticket was in ``status`` from ``start`` to ``end`` (None: still is)."""

    status: str
    start: datetime.datetime
    end: datetime.datetime | None = None


@dataclass(frozen=True)
class SlaTimer:
    """One SLA target of one ticket at ``now``. ``due_at`` is when the target falls (or fell) due — None while
    paused, when met, or when it can never fall due. ``remaining_minutes`` is negative once breached."""

    target_minutes: int
    elapsed_minutes: int
    remaining_minutes: int
    due_at: datetime.datetime | None
    paused: bool
    achieved: bool
    breached: bool

    @property
    def met(self) -> bool:
        return self.achieved and not self.breached


def elapsed_seconds(calendar: Calendar, intervals: Sequence[Interval], *, until: datetime.datetime,
                    paused_statuses: Iterable[str]) -> float:
    """Business time the clock ran from the first interval until ``until`` (paused statuses do not count)."""
    paused = set(paused_statuses)
    total = 0.0
    for interval in intervals:
        if interval.status in paused:
            continue
        end = min(interval.end or until, until)
        total += business_seconds(calendar, interval.start, end)
    return total


def deadline(calendar: Calendar, intervals: Sequence[Interval], *, target_minutes: int,
             paused_statuses: Iterable[str]) -> datetime.datetime | None:
    """The instant the clock reaches ``target_minutes``: found in the recorded intervals when it already did,
    else projected from the running interval. None while the last interval is paused, or when the intervals are
    all closed without reaching the target."""
    paused = set(paused_statuses)
    remaining = target_minutes * 60.0
    for interval in intervals:
        if interval.status in paused:
            continue
        if interval.end is None:
            return add_business_seconds(calendar, interval.start, remaining)
        available = business_seconds(calendar, interval.start, interval.end)
        if remaining <= available:
            return add_business_seconds(calendar, interval.start, remaining)
        remaining -= available
    return None


def sla_timer(calendar: Calendar, intervals: Sequence[Interval], *, target_minutes: int, now: datetime.datetime,
              achieved_at: datetime.datetime | None, paused_statuses: Iterable[str]) -> SlaTimer:
    """The state of one target: time used (until it was achieved, or until now), whether it is breached, and
    when it falls due while it still runs."""
    paused = tuple(paused_statuses)
    until = achieved_at or now
    used = elapsed_seconds(calendar, intervals, until=until, paused_statuses=paused)
    target = target_minutes * 60
    breached = used > target
    is_paused = achieved_at is None and bool(intervals) and intervals[-1].end is None and (
        intervals[-1].status in paused)
    due_at = None
    if achieved_at is None and not is_paused:
        due_at = deadline(calendar, intervals, target_minutes=target_minutes, paused_statuses=paused)
    remaining = target - used
    return SlaTimer(target_minutes=target_minutes, elapsed_minutes=math.floor(used / 60),
                    remaining_minutes=math.floor(remaining / 60) if remaining >= 0 else -math.ceil(-remaining / 60),
                    due_at=due_at, paused=is_paused, achieved=achieved_at is not None, breached=breached)


# --- routing -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSpec:
    """A routing rule's conditions (empty: any) and its identity; ``key`` is returned to the caller."""

    key: int
    channels: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    account_tiers: frozenset[str] = frozenset()
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class TicketFacts:
    channel: str
    category: str
    account_tier: str  # "" without an account
    subject: str
    description: str


def rule_matches(rule: RuleSpec, facts: TicketFacts) -> bool:
    if rule.channels and facts.channel not in rule.channels:
        return False
    if rule.categories and facts.category not in rule.categories:
        return False
    if rule.account_tiers and facts.account_tier not in rule.account_tiers:
        return False
    if rule.keywords:
        text = f"{facts.subject}\n{facts.description}".casefold()
        if not any(keyword.casefold() in text for keyword in rule.keywords if keyword.strip()):
            return False
    return True


def first_matching_rule(rules: Sequence[RuleSpec], facts: TicketFacts) -> RuleSpec | None:
    """The first rule (in the given order) whose every condition holds."""
    return next((rule for rule in rules if rule_matches(rule, facts)), None)


def clean_keywords(raw: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for item in raw:
        text = " ".join(str(item).split())[:100]
        if text and text.casefold() not in seen:
            seen[text.casefold()] = text
    return tuple(seen.values())


# --- references in mail -----------------------------------------------------------------------------------------


def reference_in_subject(subject: str) -> int | None:
    """The ticket number of a ``[#T-10001]`` tag in a mail subject."""
    match = REFERENCE.search(subject or "")
    return int(match["number"]) if match else None


def subject_with_reference(subject: str, reference: str) -> str:
    tag = f"[#{reference}]"
    return subject if tag in subject else f"{subject} {tag}".strip()


def message_id_for(*, mail_token: str, message_public_id: str, domain: str) -> str:
    """A Message-ID naming the ticket's token, so a reply's References lead back to the ticket."""
    return f"<ticket-{mail_token}.{message_public_id}@{domain}>"


def token_in_references(references: str) -> str | None:
    match = re.search(r"<ticket-(?P<token>[A-Za-z0-9_-]{6,16})\.", references or "")
    return match["token"] if match else None


# --- report statistics -----------------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile (``fraction`` 0.5 for the median, 0.9 for p90); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def attainment(met: int, total: int) -> float | None:
    """Share of targets met (0–1); None when nothing was measured."""
    return None if total == 0 else met / total
