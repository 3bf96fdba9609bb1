"""Reads for meetings, scoped by the access module; occurrences expanded in a window; what the free-slot finder
and the calendar feed need."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from tandem.access.choices import Action
from tandem.access.decide import restrict
from tandem.core.exceptions import NotFound
from tandem.identity.models import User
from tandem.meetings.choices import MeetingStatus
from tandem.meetings.logic import Occurrence, Override, Series, expand, feed_secret_hash
from tandem.meetings.models import (
    BusyTime,
    CalendarAccount,
    CalendarFeedToken,
    Meeting,
    MeetingOutcome,
    MeetingOverride,
    WorkingHours,
)

ORDERING = ("start", "id")


@dataclass(frozen=True)
class MeetingFilters:
    account_public_id: str = ""
    attendee_public_id: str = ""  # organiser or attendee
    include_cancelled: bool = True


@dataclass(frozen=True)
class MeetingOccurrence:
    """One occurrence of a visible meeting, for calendars and lists."""

    meeting: Meeting
    occurrence: Occurrence

    @property
    def start(self) -> datetime.datetime:
        return self.occurrence.start

    @property
    def end(self) -> datetime.datetime:
        return self.occurrence.end

    @property
    def title(self) -> str:
        """The occurrence's own title when it was retitled, else the meeting's."""
        return self.occurrence.title or self.meeting.title


def _with_people(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return meetings.select_related("organiser", "account").prefetch_related(
        Prefetch("attendees", queryset=User.objects.order_by("full_name")), "contacts", "overrides", "outcomes")


def meeting_list(*, actor: Any, action: str = Action.VIEW, filters: MeetingFilters | None = None) -> QuerySet[Meeting]:
    filters = filters or MeetingFilters()
    meetings = restrict(Meeting.objects.all(), actor, action)
    if filters.account_public_id:
        meetings = meetings.filter(account__public_id=filters.account_public_id)
    if filters.attendee_public_id:
        meetings = meetings.filter(Q(organiser__public_id=filters.attendee_public_id)
                                   | Q(attendees__public_id=filters.attendee_public_id)).distinct()
    if not filters.include_cancelled:
        meetings = meetings.filter(status=MeetingStatus.SCHEDULED)
    return _with_people(meetings)


def meeting_get(*, actor: Any, public_id: str) -> Meeting:
    meeting = meeting_list(actor=actor).filter(public_id=public_id).first()
    if meeting is None:
        raise NotFound("No such meeting.")
    return meeting


def series_of(meeting: Meeting) -> Series:
    from tandem.meetings.logic import UTC

    exdates = frozenset(datetime.datetime.fromisoformat(value).astimezone(UTC) for value in meeting.exdates or [])
    overrides = tuple(Override(item.original_start, item.start, item.end, item.title)
                      for item in meeting.overrides.all())
    return Series(start=meeting.start, end=meeting.end, time_zone=meeting.time_zone, rrule=meeting.rrule,
                  exdates=exdates, overrides=overrides)


@dataclass(frozen=True)
class OccurrenceOutcome:
    """An occurrence of a series with its outcome notes (``outcome`` None: none yet). ``occurrence`` is None for
    notes of an occurrence outside the listed ones (older, or no longer in the series after a change)."""

    original_start: datetime.datetime
    occurrence: Occurrence | None
    outcome: MeetingOutcome | None

    @property
    def start(self) -> datetime.datetime:
        return self.occurrence.start if self.occurrence is not None else self.original_start

    @property
    def end(self) -> datetime.datetime | None:
        return self.occurrence.end if self.occurrence is not None else None

    @property
    def notes(self) -> str:
        return self.outcome.notes if self.outcome is not None else ""


def occurrence_outcomes(*, meeting: Meeting, until: datetime.datetime, limit: int = 20) -> list[OccurrenceOutcome]:
    """For the meeting page of a series: its last ``limit`` occurrences starting before ``until`` (within a
    year), newest first, each with its outcome notes — then the notes of every other occurrence."""
    outcomes = {row.occurrence_start: row for row in meeting.outcomes.all()}
    rows: list[OccurrenceOutcome] = []
    if meeting.rrule:
        window_start = max(meeting.start, until - datetime.timedelta(days=366))
        found = [item for item in expand(series_of(meeting), window_start=window_start, window_end=until)
                 if item.start < until]
        rows = [OccurrenceOutcome(item.original_start, item, outcomes.pop(item.original_start, None))
                for item in reversed(found[-limit:])]
    rows.extend(OccurrenceOutcome(start, None, row) for start, row in sorted(outcomes.items(), reverse=True)
                if row.notes)
    return rows


def in_window(meetings: QuerySet[Meeting], start: datetime.datetime, end: datetime.datetime) -> QuerySet[Meeting]:
    """Meetings that may have an occurrence overlapping [start, end) (moved occurrences included)."""
    moved_in = MeetingOverride.objects.filter(start__lt=end, end__gt=start).values("meeting_id")
    single = Q(rrule="", start__lt=end, end__gt=start)
    series = ~Q(rrule="") & Q(start__lt=end) & (Q(series_end__isnull=True) | Q(series_end__gt=start))
    return meetings.filter(single | series | Q(pk__in=moved_in))


def occurrences(meetings: Iterable[Meeting], *, start: datetime.datetime,
                end: datetime.datetime) -> list[MeetingOccurrence]:
    """Every occurrence of ``meetings`` overlapping [start, end), by start."""
    found = [MeetingOccurrence(meeting, occurrence) for meeting in meetings
             for occurrence in expand(series_of(meeting), window_start=start, window_end=end)]
    found.sort(key=lambda item: (item.start, item.meeting.pk))
    return found


def occurrences_of(*, actor: Any, start: datetime.datetime, end: datetime.datetime,
                   filters: MeetingFilters | None = None) -> list[MeetingOccurrence]:
    return occurrences(in_window(meeting_list(actor=actor, filters=filters), start, end), start=start, end=end)


def my_meetings(*, actor: Any) -> QuerySet[Meeting]:
    """Meetings ``actor`` organises or attends (their calendar), whatever else they may see."""
    return _with_people(Meeting.objects.filter(Q(organiser_id=actor.pk) | Q(attendees=actor.pk)).distinct())


def my_occurrences(*, actor: Any, start: datetime.datetime, end: datetime.datetime) -> list[MeetingOccurrence]:
    scheduled = my_meetings(actor=actor).filter(status=MeetingStatus.SCHEDULED)
    return occurrences(in_window(scheduled, start, end), start=start, end=end)


def busy_of(*, users: Iterable[User], start: datetime.datetime,
            end: datetime.datetime) -> dict[int, list[tuple[datetime.datetime, datetime.datetime]]]:
    """For the free-slot finder: each user's busy intervals — their scheduled meetings and synced busy time."""
    ids = [user.pk for user in users]
    busy: dict[int, list[tuple[datetime.datetime, datetime.datetime]]] = {pk: [] for pk in ids}
    meetings = in_window(Meeting.objects.filter(status=MeetingStatus.SCHEDULED).filter(
        Q(organiser_id__in=ids) | Q(attendees__in=ids)).distinct(), start, end).prefetch_related("attendees",
                                                                                               "overrides")
    for meeting in meetings:
        people = {meeting.organiser_id, *(attendee.pk for attendee in meeting.attendees.all())} & set(ids)
        for occurrence in expand(series_of(meeting), window_start=start, window_end=end):
            for pk in people:
                busy[pk].append((occurrence.start, occurrence.end))
    for block in BusyTime.objects.filter(user_id__in=ids, start__lt=end, end__gt=start):
        busy[block.user_id].append((block.start, block.end))
    return busy


def working_hours_of(*, users: Iterable[User]) -> dict[int, WorkingHours]:
    """Each user's working hours (unsaved defaults for those who never set them)."""
    users = list(users)
    saved = {row.user_id: row for row in WorkingHours.objects.filter(user__in=users)}
    return {user.pk: saved.get(user.pk) or WorkingHours(user=user, days=[1, 2, 3, 4, 5]) for user in users}


def busy_times_of(*, actor: Any, start: datetime.datetime, end: datetime.datetime) -> QuerySet[BusyTime]:
    return BusyTime.objects.filter(user_id=actor.pk, start__lt=end, end__gt=start).order_by("start")


def colleagues(*, actor: Any) -> QuerySet[User]:
    """Active users one can invite or look for free time with."""
    return User.objects.filter(is_active=True).order_by("full_name", "email")


def users_by_public_ids(*, public_ids: Iterable[str]) -> list[User]:
    wanted = list(dict.fromkeys(public_ids))
    found = {user.public_id: user for user in User.objects.filter(public_id__in=wanted, is_active=True)}
    missing = [public_id for public_id in wanted if public_id not in found]
    if missing:
        raise NotFound(f"No such user: {missing[0]}")
    return [found[public_id] for public_id in wanted]


def feed_user(*, secret: str) -> User | None:
    """The owner of a calendar feed secret, or None."""
    if not secret or len(secret) > 100:
        return None
    token = CalendarFeedToken.objects.select_related("user").filter(token_hash=feed_secret_hash(secret)).first()
    if token is None or not token.user.is_active:
        return None
    return token.user


def feed_token_of(*, actor: Any) -> CalendarFeedToken | None:
    return CalendarFeedToken.objects.filter(user_id=actor.pk).first()


def calendar_account_of(*, actor: Any) -> CalendarAccount | None:
    return CalendarAccount.objects.filter(user_id=actor.pk).first()


def calendar_accounts_due(*, older_than: datetime.datetime) -> QuerySet[CalendarAccount]:
    return CalendarAccount.objects.filter(enabled=True).filter(
        Q(last_synced_at__isnull=True) | Q(last_synced_at__lt=older_than)).select_related("user")


def calendar_account_by_id(*, calendar_account_id: int) -> CalendarAccount | None:
    return CalendarAccount.objects.select_related("user").filter(pk=calendar_account_id).first()
