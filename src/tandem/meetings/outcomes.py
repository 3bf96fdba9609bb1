"""Writes for outcome notes (services: authorise → validate → write → audit → timeline).

A one-off meeting has one set of notes, on the meeting. A series has one set per occurrence
(``MeetingOutcome``), keyed by the occurrence's original start — what RECURRENCE-ID names in a calendar, so
a moved occurrence keeps its notes. Saved notes of a meeting with an account are one *meeting* activity on the
account's timeline: created once, updated when the notes change, with the meeting as its ``source`` and, for an
occurrence, ``payload["occurrence_start"]`` (ISO 8601, UTC)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_record
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.meetings import selectors
from tandem.meetings.logic import UTC, Series, expand, is_occurrence
from tandem.meetings.models import Meeting, MeetingOutcome
from tandem.timeline.choices import ActivityType
from tandem.timeline.logic import render_markdown
from tandem.timeline.models import Activity
from tandem.timeline.services import record_system_activity

MAX_NOTES = 20_000
PAYLOAD_KEY = "occurrence_start"


@dataclass(frozen=True)
class OccurrenceNotes:
    """The outcome notes of one occurrence, and the timeline activity they are (None: the meeting has no
    account, or nothing was written yet)."""

    occurrence_start: datetime.datetime
    notes: str
    activity: Activity | None


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors={field: [message]})


def _activity(activity_id: int | None) -> Activity | None:
    return Activity.objects.filter(pk=activity_id).first() if activity_id else None


def _record(actor: Any, meeting: Meeting, *, notes: str, title: str, activity_id: int | None,
            occurred_at: datetime.datetime, payload: dict[str, Any]) -> Activity | None:
    """The meeting activity for ``notes`` on the meeting's account: written when there is none yet (or someone
    deleted it), updated when the notes or the title changed. None without an account, or without notes and
    no activity yet."""
    if meeting.account is None:
        return None
    activity = _activity(activity_id)
    if activity is None:
        if not notes:
            return None
        return record_system_activity(
            account=meeting.account, type=ActivityType.MEETING, subject=title, actor=actor, body=notes,
            occurred_at=min(occurred_at, timezone.now()), source=meeting, payload=payload,
            contacts=meeting.contacts.all(), participants=[meeting.organiser, *meeting.attendees.all()])
    if activity.body != notes or activity.subject != title[:300]:
        activity.body, activity.subject, activity.body_html = notes, title[:300], render_markdown(notes)
        Activity.objects.filter(pk=activity.pk).update(body=activity.body, subject=activity.subject,
                                                       body_html=activity.body_html, updated_at=timezone.now())
    return activity


def meeting_outcome_sync(*, actor: Any, meeting: Meeting) -> None:
    """A one-off meeting's notes (``meeting.outcome_notes``) onto its account's timeline; call inside the
    service's transaction after saving the meeting."""
    if meeting.account is None or not meeting.outcome_notes:
        return
    activity = _record(actor, meeting, notes=meeting.outcome_notes, title=meeting.title,
                       activity_id=meeting.outcome_activity_id, occurred_at=meeting.start, payload={})
    if activity is not None and activity.pk != meeting.outcome_activity_id:
        Meeting.objects.filter(pk=meeting.pk).update(outcome_activity_id=activity.pk)
        meeting.outcome_activity_id = activity.pk


def first_occurrence(meeting: Meeting) -> datetime.datetime:
    """The original start of a series' first occurrence (the meeting's start when the rule skips nothing)."""
    series = selectors.series_of(meeting)
    plain = Series(start=series.start, end=series.end, time_zone=series.time_zone, rrule=series.rrule)
    found = expand(plain, window_start=meeting.start, window_end=meeting.start + datetime.timedelta(days=366 * 5),
                   limit=1)
    return found[0].original_start if found else meeting.start


def _set_payload(activity_id: int | None, occurrence_start: datetime.datetime | None) -> None:
    activity = _activity(activity_id)
    if activity is None:
        return
    payload = {key: value for key, value in (activity.payload or {}).items() if key != PAYLOAD_KEY}
    if occurrence_start is not None:
        payload[PAYLOAD_KEY] = occurrence_start.isoformat()
    Activity.objects.filter(pk=activity.pk).update(payload=payload)


def outcomes_follow_meeting(*, actor: Any, meeting: Meeting, changed: dict[str, Any]) -> None:
    """Keep the notes where they belong after ``meeting_update`` changed ``changed`` (audit diff): a meeting
    that starts repeating moves its notes to the first occurrence; a series that stops repeating takes the
    earliest occurrence's notes back as its own (the other occurrences' notes stay, as history); a renamed
    series renames the timeline entries of occurrences that carry its title. Inside the service's
    transaction."""
    if "rrule" in changed:
        was_recurring = bool(changed["rrule"][0])
        if meeting.rrule and not was_recurring and meeting.outcome_notes:
            start = first_occurrence(meeting)
            MeetingOutcome.objects.update_or_create(meeting=meeting, occurrence_start=start, defaults={
                "notes": meeting.outcome_notes, "activity_id": meeting.outcome_activity_id})
            _set_payload(meeting.outcome_activity_id, start)
            meeting.outcome_notes, meeting.outcome_activity_id = "", None
            Meeting.objects.filter(pk=meeting.pk).update(outcome_notes="", outcome_activity_id=None)
        elif not meeting.rrule and was_recurring and not meeting.outcome_notes:
            earliest = meeting.outcomes.exclude(notes="").order_by("occurrence_start").first()
            if earliest is not None:
                meeting.outcome_notes, meeting.outcome_activity_id = earliest.notes, earliest.activity_id
                Meeting.objects.filter(pk=meeting.pk).update(outcome_notes=earliest.notes,
                                                             outcome_activity_id=earliest.activity_id)
                _set_payload(earliest.activity_id, None)
                earliest.delete()
                meeting_outcome_sync(actor=actor, meeting=meeting)
    if "title" in changed and meeting.rrule:
        ids = [row.activity_id for row in meeting.outcomes.all() if row.activity_id is not None]
        if ids:
            Activity.objects.filter(pk__in=ids, subject=str(changed["title"][0])[:300]).update(
                subject=meeting.title[:300], updated_at=timezone.now())


def occurrence_notes_save(*, actor: Any, meeting: Meeting, occurrence_start: datetime.datetime,
                          notes: str) -> OccurrenceNotes:
    """Save the outcome notes of the occurrence that originally starts at ``occurrence_start`` (for a one-off
    meeting: its start, and the notes are the meeting's). Audited on the meeting; on the timeline as described
    in the module docstring. An occurrence's emptied notes empty its timeline entry's text."""
    if not can(actor, Action.CHANGE, meeting):
        raise PermissionDenied(_("You may not change this meeting."))
    if not isinstance(occurrence_start, datetime.datetime) or timezone.is_naive(occurrence_start):
        raise _fail("occurrence", _("Give the occurrence's start with its time zone."))
    occurrence_start = occurrence_start.astimezone(UTC)
    notes = (notes or "").strip()
    if len(notes) > MAX_NOTES:
        raise _fail("outcome_notes", _("At most %(limit)d characters (this has %(length)d).")
                    % {"limit": MAX_NOTES, "length": len(notes)})
    with transaction.atomic():
        locked = Meeting.objects.select_for_update(of=("self",)).select_related("account", "organiser").get(
            pk=meeting.pk)
        if not locked.rrule:
            return _one_off_notes_save(actor, locked, occurrence_start, notes)
        row = MeetingOutcome.objects.select_for_update().filter(meeting=locked,
                                                                occurrence_start=occurrence_start).first()
        series = selectors.series_of(locked)
        if row is None:
            if not is_occurrence(series, occurrence_start):
                raise _fail("occurrence", _("The series has no occurrence starting at %(start)s.")
                            % {"start": occurrence_start.isoformat()})
            if occurrence_start in series.exdates:
                raise _fail("occurrence", _("This occurrence was cancelled."))
            row = MeetingOutcome(meeting=locked, occurrence_start=occurrence_start)
        before = row.notes
        if row.pk is not None and notes == before:
            return OccurrenceNotes(occurrence_start, notes, _activity(row.activity_id))
        if row.pk is None and not notes:
            return OccurrenceNotes(occurrence_start, "", None)
        row.notes = notes
        row.save()
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=locked,
                     changes={f"outcome_notes {occurrence_start.isoformat()}": [before, notes]})
        override = next((item for item in series.overrides if item.original_start == occurrence_start), None)
        activity = _record(actor, locked, notes=notes, title=(override.title if override else "") or locked.title,
                           activity_id=row.activity_id,
                           occurred_at=override.start if override else occurrence_start,
                           payload={PAYLOAD_KEY: occurrence_start.isoformat()})
        if activity is not None and activity.pk != row.activity_id:
            MeetingOutcome.objects.filter(pk=row.pk).update(activity_id=activity.pk)
    return OccurrenceNotes(occurrence_start, notes, activity)


def _one_off_notes_save(actor: Any, meeting: Meeting, occurrence_start: datetime.datetime,
                        notes: str) -> OccurrenceNotes:
    if occurrence_start != meeting.start:
        raise _fail("occurrence", _("This meeting does not repeat; its only occurrence starts at %(start)s.")
                    % {"start": meeting.start.isoformat()})
    before = meeting.outcome_notes
    if notes != before:
        meeting.outcome_notes = notes
        meeting.save(update_fields=["outcome_notes", "updated_at"])
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=meeting, changes={"outcome_notes": [before, notes]})
        meeting_outcome_sync(actor=actor, meeting=meeting)
    return OccurrenceNotes(occurrence_start, notes, _activity(meeting.outcome_activity_id))
