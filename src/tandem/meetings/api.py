"""Meetings API: /api/v1/meetings, /api/v1/free-slots, /api/v1/calendar-feed, /api/v1/calendar-sync."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Status

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts import selectors as account_selectors
from tandem.api.auth import api_actor
from tandem.api.pagination import paginate
from tandem.contacts import selectors as contact_selectors
from tandem.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from tandem.identity.requests import AuthedRequest
from tandem.meetings import outcomes, selectors, services, slots, sync
from tandem.meetings.logic import expand
from tandem.meetings.models import Meeting
from tandem.meetings.schemas import (
    CalendarSyncIn,
    CalendarSyncOut,
    FeedRotateOut,
    FreeSlotsOut,
    MeetingIn,
    MeetingOut,
    MeetingPage,
    MeetingPatch,
    OccurrenceCancelIn,
    OutcomeIn,
    OutcomeOut,
)

router = Router(tags=["meetings"])
slots_router = Router(tags=["meetings"])
feed_router = Router(tags=["meetings"])
sync_router = Router(tags=["meetings"])
MAX_RANGE = datetime.timedelta(days=366)


def _person(user: Any) -> dict[str, str]:
    return {"id": user.public_id, "name": user.full_name or user.email, "email": user.email}


def _out(meeting: Meeting, window: tuple[datetime.datetime, datetime.datetime] | None = None) -> dict[str, Any]:
    occurrences = None
    if window is not None:
        occurrences = [{"start": item.start, "end": item.end, "original_start": item.original_start,
                        "moved": item.moved}
                       for item in expand(selectors.series_of(meeting), window_start=window[0], window_end=window[1])]
    return {
        "id": meeting.public_id, "title": meeting.title, "start": meeting.start, "end": meeting.end,
        "time_zone": meeting.time_zone, "status": meeting.status, "organiser": _person(meeting.organiser),
        "attendees": [_person(user) for user in meeting.attendees.all()],
        "contacts": [{"id": contact.public_id, "name": str(contact), "email": contact.email}
                     for contact in meeting.contacts.all()],
        "account": {"id": meeting.account.public_id, "name": meeting.account.name} if meeting.account else None,
        "location": meeting.location, "video_url": meeting.video_url, "agenda": meeting.agenda,
        "agenda_html": meeting.agenda_html, "outcome_notes": meeting.outcome_notes,
        "occurrence_notes": [{"occurrence_start": row.occurrence_start, "notes": row.notes,
                              "updated_at": row.updated_at} for row in meeting.outcomes.all() if row.notes],
        "rrule": meeting.rrule,
        "exdates": sorted(meeting.exdates), "reminder_minutes": meeting.reminder_minutes,
        "occurrences": occurrences, "created_at": meeting.created_at, "updated_at": meeting.updated_at,
    }


def _unknown(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors={field: [message]})


def _references(actor: Any, fields: dict[str, Any]) -> dict[str, Any]:
    """Public ids in the payload turned into records (422 naming the unknown one)."""
    resolved: dict[str, Any] = {}
    if "account" in fields:
        if fields["account"]:
            try:
                resolved["account"] = account_selectors.account_get(actor=actor, public_id=fields["account"])
            except NotFound:
                raise _unknown("account", f"No visible account with id {fields['account']}.") from None
        else:
            resolved["account"] = None
    if fields.get("attendees") is not None:
        try:
            resolved["attendees"] = selectors.users_by_public_ids(public_ids=fields["attendees"])
        except NotFound as error:
            raise _unknown("attendees", error.message) from None
    if fields.get("contacts") is not None:
        contacts = []
        for public_id in fields["contacts"]:
            try:
                contacts.append(contact_selectors.contact_get(actor=actor, public_id=public_id))
            except NotFound:
                raise _unknown("contacts", f"No visible contact with id {public_id}.") from None
        resolved["contacts"] = contacts
    return resolved


def _window(start: datetime.datetime | None, end: datetime.datetime | None) -> tuple[datetime.datetime,
                                                                                       datetime.datetime] | None:
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise _unknown("from" if start is None else "to", "Give both from and to.")
    for name, value in (("from", start), ("to", end)):
        if value.tzinfo is None:
            raise _unknown(name, "Needs a UTC offset, e.g. Z.")
    if end <= start:
        raise _unknown("to", "Must be after from.")
    if end - start > MAX_RANGE:
        raise _unknown("to", "The range is at most 366 days.")
    return start, end


@router.get("", response=MeetingPage, operation_id="meetings_meeting_list")
def meeting_list(request: AuthedRequest, limit: int | None = None, cursor: str | None = None,
                 start: datetime.datetime | None = Query(None, alias="from"),
                 end: datetime.datetime | None = Query(None, alias="to"),
                 account: str | None = None, attendee: str | None = None) -> dict[str, Any]:
    """The visible meetings by first start. With ``from`` and ``to`` (both with an offset, at most 366 days
    apart) only meetings with an occurrence overlapping that range, each with its ``occurrences`` there
    (recurrences expanded, cancelled occurrences left out, moved ones at their new time). ``account`` is an
    account's public id; ``attendee`` a user's public id (organiser or attendee) or ``me``."""
    actor = api_actor(request, scope="meetings:read")
    window = _window(start, end)
    attendee_id = actor.public_id if (attendee or "").lower() == "me" else (attendee or "")
    filters = selectors.MeetingFilters(account_public_id=account or "", attendee_public_id=attendee_id)
    meetings = selectors.meeting_list(actor=actor, filters=filters)
    if window is not None:
        meetings = selectors.in_window(meetings, *window)
    page = paginate(meetings, ordering=selectors.ORDERING, limit=limit, cursor=cursor)
    return {"items": [_out(meeting, window) for meeting in page.items], "next_cursor": page.next_cursor}


@router.post("", response={201: MeetingOut}, operation_id="meetings_meeting_create")
def meeting_create(request: AuthedRequest, payload: MeetingIn) -> Status:
    """Plan a meeting; with ``rrule`` a series (FREQ DAILY to YEARLY, COUNT at most 730)."""
    actor = api_actor(request, scope="meetings:write")
    if not can(actor, Action.CREATE, resource="meeting"):
        raise PermissionDenied("You may not plan meetings.")
    fields = payload.dict()
    fields.update(_references(actor, fields))
    meeting = services.meeting_create(actor=actor, **fields)
    return Status(201, _out(selectors.meeting_get(actor=actor, public_id=meeting.public_id)))


@router.get("/{meeting_id}", response=MeetingOut, operation_id="meetings_meeting_get")
def meeting_get(request: AuthedRequest, meeting_id: str) -> dict[str, Any]:
    actor = api_actor(request, scope="meetings:read")
    return _out(selectors.meeting_get(actor=actor, public_id=meeting_id))


@router.patch("/{meeting_id}", response=MeetingOut, operation_id="meetings_meeting_update")
def meeting_update(request: AuthedRequest, meeting_id: str, payload: MeetingPatch) -> dict[str, Any]:
    """Change a meeting; ``outcome_notes`` of a one-off meeting become (or update) a meeting activity on the
    account's timeline. A series' notes are per occurrence (PUT …/occurrences/{occurrence_start}/notes)."""
    actor = api_actor(request, scope="meetings:write")
    meeting = selectors.meeting_get(actor=actor, public_id=meeting_id)
    if not can(actor, Action.CHANGE, meeting):
        raise PermissionDenied("You may not change this meeting.")
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    for name in list(changes):
        if changes[name] is None and name != "account":
            raise ValidationFailed("This field cannot be null.", errors={name: ["May not be null."]})
    changes.update(_references(actor, changes))
    services.meeting_update(actor=actor, meeting=meeting, **changes)
    return _out(selectors.meeting_get(actor=actor, public_id=meeting_id))


@router.delete("/{meeting_id}", response={204: None}, operation_id="meetings_meeting_delete")
def meeting_delete(request: AuthedRequest, meeting_id: str) -> Status:
    actor = api_actor(request, scope="meetings:write")
    services.meeting_delete(actor=actor, meeting=selectors.meeting_get(actor=actor, public_id=meeting_id))
    return Status(204, None)


@router.post("/{meeting_id}/cancel", response=MeetingOut, operation_id="meetings_meeting_cancel")
def meeting_cancel(request: AuthedRequest, meeting_id: str) -> dict[str, Any]:
    """Cancel the meeting (the whole series); calendars see it as cancelled."""
    actor = api_actor(request, scope="meetings:write")
    services.meeting_cancel(actor=actor, meeting=selectors.meeting_get(actor=actor, public_id=meeting_id))
    return _out(selectors.meeting_get(actor=actor, public_id=meeting_id))


@router.post("/{meeting_id}/cancel-occurrence", response=MeetingOut,
             operation_id="meetings_occurrence_cancel")
def meeting_cancel_occurrence(request: AuthedRequest, meeting_id: str, payload: OccurrenceCancelIn) -> dict[str, Any]:
    """Cancel one occurrence of a series (it becomes an EXDATE)."""
    actor = api_actor(request, scope="meetings:write")
    meeting = selectors.meeting_get(actor=actor, public_id=meeting_id)
    services.occurrence_cancel(actor=actor, meeting=meeting, original_start=payload.occurrence_start)
    return _out(selectors.meeting_get(actor=actor, public_id=meeting_id))


@router.put("/{meeting_id}/occurrences/{occurrence_start}/notes", response=OutcomeOut,
            operation_id="meetings_outcome_update")
def meeting_outcome_update(request: AuthedRequest, meeting_id: str, occurrence_start: datetime.datetime,
                           payload: OutcomeIn) -> dict[str, Any]:
    """Set the outcome notes of one occurrence, named by its original start (ISO 8601 with an offset, as in
    ``occurrences[].original_start``; for a one-off meeting its start). Saved notes become one meeting
    activity on the account's timeline per occurrence (``payload.occurrence_start``), updated when they
    change."""
    actor = api_actor(request, scope="meetings:write")
    meeting = selectors.meeting_get(actor=actor, public_id=meeting_id)
    saved = outcomes.occurrence_notes_save(actor=actor, meeting=meeting, occurrence_start=occurrence_start,
                                           notes=payload.notes)
    return {"meeting": meeting.public_id, "occurrence_start": saved.occurrence_start, "notes": saved.notes,
            "activity": saved.activity.public_id if saved.activity is not None else None}


@slots_router.get("", response=FreeSlotsOut, operation_id="meetings_slot_list")
def free_slot_list(request: AuthedRequest, users: list[str] = Query(...), length: int = 30, days: int = 7,
                   count: int = 10) -> dict[str, Any]:
    """The next ``count`` free slots of ``length`` minutes in the next ``days`` days for two or more users
    (public ids, repeated or comma-separated; ``me`` for yourself): within everyone's working hours in their
    own time zone, avoiding their meetings and the busy time synced from their calendars."""
    actor = api_actor(request, scope="meetings:read")
    references = [part.strip() for value in users for part in value.split(",") if part.strip()]
    references = [actor.public_id if value.lower() == "me" else value for value in references]
    try:
        people = selectors.users_by_public_ids(public_ids=references)
    except NotFound as error:
        raise _unknown("users", error.message) from None
    found = slots.free_slots_for(actor=actor, users=people, length_minutes=length, days=days, count=count,
                                 now=timezone.now())
    return {"users": [_person(user) for user in people], "length_minutes": length,
            "items": [{"start": slot.start, "end": slot.end} for slot in found]}


@feed_router.post("/rotate", response=FeedRotateOut, operation_id="meetings_feed_rotate")
def calendar_feed_rotate(request: AuthedRequest) -> dict[str, Any]:
    """A new secret address for your iCalendar feed (the old one stops working). The address is returned
    only now; Tandem keeps only its hash."""
    actor = api_actor(request, scope="meetings:write")
    return {"url": services.feed_token_rotate(actor=actor).url}


def _sync_out(actor: Any) -> dict[str, Any]:
    account = selectors.calendar_account_of(actor=actor)
    if account is None:
        return {"configured": False}
    return {"configured": True, "url": account.url, "username": account.username, "enabled": account.enabled,
            "status": account.status, "last_synced_at": account.last_synced_at, "last_error": account.last_error,
            "last_summary": account.last_summary}


@sync_router.get("", response=CalendarSyncOut, operation_id="meetings_sync_get")
def calendar_sync_get(request: AuthedRequest) -> dict[str, Any]:
    """Your CalDAV sync settings and how the last sync went (never the password)."""
    return _sync_out(api_actor(request, scope="meetings:read"))


@sync_router.put("", response=CalendarSyncOut, operation_id="meetings_sync_update")
def calendar_sync_update(request: AuthedRequest, payload: CalendarSyncIn) -> dict[str, Any]:
    """Set your CalDAV account (``password`` left out keeps the stored one; it is stored encrypted)."""
    actor = api_actor(request, scope="meetings:write")
    sync.calendar_account_save(actor=actor, url=payload.url, username=payload.username, password=payload.password,
                               enabled=payload.enabled)
    return _sync_out(actor)


@sync_router.post("", response={202: CalendarSyncOut}, operation_id="meetings_sync_start")
def calendar_sync_start(request: AuthedRequest) -> Status:
    """Sync your calendar now (in the background; GET shows the outcome)."""
    actor = api_actor(request, scope="meetings:write")
    sync.calendar_sync_request(actor=actor)
    return Status(202, _sync_out(actor))


