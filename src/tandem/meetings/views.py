"""Meeting pages: my calendar (a week by day), the meeting form and page, the weekly CSM–AM sync, the free-slot
finder, calendar settings (feed address, CalDAV, working hours), and the secret iCalendar feed."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts import selectors as account_selectors
from tandem.contacts import selectors as contact_selectors
from tandem.core.exceptions import DomainError, NotFound, PermissionDenied
from tandem.core.forms import add_domain_errors
from tandem.identity.requests import AuthedRequest
from tandem.meetings import ical, outcomes, selectors, services, slots, sync
from tandem.meetings.choices import MeetingStatus, Repeat
from tandem.meetings.forms import (
    BookSlotForm,
    CalendarAccountForm,
    FreeSlotForm,
    MeetingForm,
    OutcomeForm,
    WeeklySyncForm,
    WorkingHoursForm,
)
from tandem.meetings.logic import describe_rule, expand, zone

ACCOUNT_CHOICES = 500


def _meeting_or_404(request: AuthedRequest, public_id: str) -> Any:
    try:
        return selectors.meeting_get(actor=request.user, public_id=public_id)
    except NotFound:
        raise Http404 from None


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@login_required
def calendar_week(request: AuthedRequest) -> HttpResponse:
    """My calendar: the week's occurrences and busy time, by day, in my time zone."""
    today = timezone.localdate()
    try:
        chosen = datetime.date.fromisoformat(request.GET.get("week", "")) if request.GET.get("week") else today
    except ValueError:
        chosen = today
    monday = chosen - datetime.timedelta(days=chosen.weekday())
    start, end = _local_midnight(monday), _local_midnight(monday + datetime.timedelta(days=7))
    found = selectors.my_occurrences(actor=request.user, start=start, end=end)
    busy = list(selectors.busy_times_of(actor=request.user, start=start, end=end))
    days = []
    for offset in range(7):
        day = monday + datetime.timedelta(days=offset)
        day_start, day_end = _local_midnight(day), _local_midnight(day + datetime.timedelta(days=1))
        days.append({"date": day, "is_today": day == today,
                     "occurrences": [item for item in found if item.start < day_end and item.end > day_start],
                     "busy": [block for block in busy if block.start < day_end and block.end > day_start]})
    return render(request, "meetings/calendar_week.html", {
        "nav_active": "meetings", "days": days, "monday": monday,
        "previous_week": (monday - datetime.timedelta(days=7)).isoformat(),
        "next_week": (monday + datetime.timedelta(days=7)).isoformat(),
        "can_create": can(request.user, Action.CREATE, resource="meeting")})


def _form_choices(actor: Any, account_public_id: str) -> dict[str, Any]:
    accounts = list(account_selectors.account_list(actor=actor).order_by("name")[:ACCOUNT_CHOICES])
    contacts: list[Any] = []
    if account_public_id:
        try:
            account = account_selectors.account_get(actor=actor, public_id=account_public_id)
        except NotFound:
            account = None
        if account is not None:
            if account not in accounts:
                accounts.append(account)
            contacts = list(contact_selectors.contacts_of_account(actor=actor, account=account)[:200])
    return {"users": list(selectors.colleagues(actor=actor)), "accounts": accounts, "contacts": contacts}


def _service_fields(actor: Any, data: dict[str, Any], form: MeetingForm) -> dict[str, Any]:
    account = None
    if data.get("account"):
        account = account_selectors.account_get(actor=actor, public_id=data["account"])
    contacts = {contact.public_id: contact for contact in
                contact_selectors.contact_list(actor=actor).filter(public_id__in=data.get("contacts") or [])}
    return {"title": data["title"], "start": data["start"], "end": data["end"], "time_zone": data["time_zone"],
            "attendees": selectors.users_by_public_ids(public_ids=data.get("attendees") or []),
            "contacts": [contacts[public_id] for public_id in data.get("contacts") or [] if public_id in contacts],
            "account": account, "location": data.get("location", ""), "video_url": data.get("video_url", ""),
            "agenda": data.get("agenda", ""), "rrule": data.get("rrule", ""),
            "reminder_minutes": data.get("reminder_minutes") if data.get("reminder_minutes") is not None else 15}


def _initial_times(request: HttpRequest) -> tuple[datetime.datetime, datetime.datetime]:
    now = timezone.localtime()
    start = (now + datetime.timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    return start, start + datetime.timedelta(minutes=30)


@login_required
def meeting_create(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    if not can(actor, Action.CREATE, resource="meeting"):
        raise PermissionDenied(_("You may not plan meetings."))
    account_id = request.POST.get("account") or request.GET.get("account", "")
    start, end = _initial_times(request)
    initial = {"time_zone": actor.time_zone, "start": start.replace(tzinfo=None), "end": end.replace(tzinfo=None),
               "account": account_id, "repeat": Repeat.NONE, "reminder_minutes": 15}
    form = MeetingForm(request.POST or None, initial=initial, **_form_choices(actor, account_id))
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(actor=actor, **_service_fields(actor, form.cleaned_data, form))
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Meeting planned."))
            return redirect("meetings:meeting-detail", meeting.public_id)
    return render(request, "meetings/meeting_form.html", {"nav_active": "meetings", "form": form,
                                                          "action_url": reverse("meetings:meeting-create")},
                  status=422 if form.errors else 200)


@login_required
def meeting_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    meeting = _meeting_or_404(request, public_id)
    if not can(actor, Action.CHANGE, meeting):
        raise PermissionDenied(_("You may not change this meeting."))
    account_id = request.POST.get("account") if request.method == "POST" else (
        meeting.account.public_id if meeting.account else "")
    local = {name: getattr(meeting, name).astimezone(zone(meeting.time_zone)).replace(tzinfo=None)
             for name in ("start", "end")}
    initial = {"title": meeting.title, **local, "time_zone": meeting.time_zone,
               "attendees": [user.public_id for user in meeting.attendees.all()], "account": account_id,
               "contacts": [contact.public_id for contact in meeting.contacts.all()], "location": meeting.location,
               "video_url": meeting.video_url, "agenda": meeting.agenda,
               "repeat": Repeat.CUSTOM if meeting.rrule else Repeat.NONE, "custom_rrule": meeting.rrule,
               "reminder_minutes": meeting.reminder_minutes}
    form = MeetingForm(request.POST or None, initial=initial, **_form_choices(actor, account_id or ""))
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(actor=actor, meeting=meeting, **_service_fields(actor, form.cleaned_data, form))
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Meeting saved."))
            return redirect("meetings:meeting-detail", meeting.public_id)
    return render(request, "meetings/meeting_form.html", {
        "nav_active": "meetings", "form": form, "meeting": meeting,
        "action_url": reverse("meetings:meeting-edit", args=[meeting.public_id])},
        status=422 if form.errors else 200)


def _occurrence_key(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _posted_occurrence(request: AuthedRequest) -> datetime.datetime | None:
    """The occurrence (original start) a notes form was posted for; None for a one-off meeting's notes."""
    value = request.POST.get("occurrence", "")
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise Http404 from None
    if timezone.is_naive(moment):
        raise Http404
    return moment


def _occurrence_notes(meeting: Any, may_change: bool,
                      failed: tuple[datetime.datetime, OutcomeForm] | None) -> list[dict[str, Any]]:
    """The meeting page's occurrences with a notes editor each: past and today's occurrences of a series, and
    notes of any other occurrence; the form that failed keeps what was typed."""
    end_of_today = _local_midnight(timezone.localdate() + datetime.timedelta(days=1))
    items = []
    for row in selectors.occurrence_outcomes(meeting=meeting, until=end_of_today):
        key = _occurrence_key(row.original_start)
        if failed is not None and failed[0] == row.original_start:
            form = failed[1]
        else:
            form = OutcomeForm(initial={"outcome_notes": row.notes}, auto_id=f"notes-{key}-%s")
        items.append({"row": row, "key": key, "form": form, "editable": may_change and bool(meeting.rrule)})
    return items


@login_required
def meeting_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    """The meeting page. Outcome notes: one form for a one-off meeting; one per occurrence for a series
    (posted with the occurrence's original start in ``occurrence``)."""
    actor = request.user
    meeting = _meeting_or_404(request, public_id)
    now = timezone.now()
    upcoming = expand(selectors.series_of(meeting), window_start=now, window_end=now + datetime.timedelta(days=366),
                      limit=10)
    occurrence = _posted_occurrence(request) if request.method == "POST" else None
    outcome_form = OutcomeForm(request.POST if request.method == "POST" and occurrence is None else None,
                               initial={"outcome_notes": meeting.outcome_notes})
    may_change = can(actor, Action.CHANGE, meeting)
    failed: tuple[datetime.datetime, OutcomeForm] | None = None
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied(_("You may not change this meeting."))
        if occurrence is not None:
            notes_form = OutcomeForm(request.POST, auto_id=f"notes-{_occurrence_key(occurrence)}-%s")
            if notes_form.is_valid():
                try:
                    outcomes.occurrence_notes_save(actor=actor, meeting=meeting, occurrence_start=occurrence,
                                                   notes=notes_form.cleaned_data["outcome_notes"])
                except DomainError as error:
                    add_domain_errors(notes_form, error)
                else:
                    messages.success(request, _("Outcome notes saved."))
                    url = reverse("meetings:meeting-detail", args=[meeting.public_id])
                    return redirect(f"{url}#occurrence-{_occurrence_key(occurrence)}")
            failed = (occurrence.astimezone(datetime.UTC), notes_form)
        elif outcome_form.is_valid():
            try:
                services.meeting_update(actor=actor, meeting=meeting,
                                        outcome_notes=outcome_form.cleaned_data["outcome_notes"])
            except DomainError as error:
                add_domain_errors(outcome_form, error)
            else:
                messages.success(request, _("Outcome notes saved."))
                return redirect("meetings:meeting-detail", meeting.public_id)
    occurrence_notes = _occurrence_notes(meeting, may_change, failed)
    if failed is not None and not any(item["form"] is failed[1] for item in occurrence_notes):
        messages.error(request, " ".join(str(error) for errors in failed[1].errors.values() for error in errors))
    has_errors = bool(outcome_form.errors) or (failed is not None and bool(failed[1].errors))
    return render(request, "meetings/meeting_detail.html", {
        "nav_active": "meetings", "meeting": meeting, "upcoming": upcoming, "outcome_form": outcome_form,
        "occurrence_notes": occurrence_notes,
        "can_change": may_change, "can_delete": can(actor, Action.DELETE, meeting),
        "recurrence": describe_rule(meeting.rrule), "is_cancelled": meeting.status == MeetingStatus.CANCELLED},
        status=422 if has_errors else 200)


@login_required
@require_POST
def meeting_cancel(request: AuthedRequest, public_id: str) -> HttpResponse:
    meeting = _meeting_or_404(request, public_id)
    services.meeting_cancel(actor=request.user, meeting=meeting)
    messages.success(request, _("Meeting cancelled."))
    return redirect("meetings:meeting-detail", meeting.public_id)


@login_required
@require_POST
def occurrence_cancel(request: AuthedRequest, public_id: str) -> HttpResponse:
    meeting = _meeting_or_404(request, public_id)
    try:
        original = datetime.datetime.fromisoformat(request.POST.get("occurrence", ""))
    except ValueError:
        messages.error(request, _("Unknown occurrence."))
        return redirect("meetings:meeting-detail", meeting.public_id)
    try:
        services.occurrence_cancel(actor=request.user, meeting=meeting, original_start=original)
    except DomainError as error:
        if isinstance(error, PermissionDenied):
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("Occurrence cancelled."))
    return redirect("meetings:meeting-detail", meeting.public_id)


@login_required
@require_POST
def meeting_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    meeting = _meeting_or_404(request, public_id)
    services.meeting_delete(actor=request.user, meeting=meeting)
    messages.success(request, _("Meeting deleted."))
    return redirect("meetings:calendar")


@login_required
def weekly_sync(request: AuthedRequest) -> HttpResponse:
    """Create the weekly CSM–AM sync for the chosen key accounts in one step."""
    actor = request.user
    if not can(actor, Action.CREATE, resource="meeting"):
        raise PermissionDenied(_("You may not plan meetings."))
    accounts = list(account_selectors.account_list(actor=actor).order_by("-tier", "name")[:ACCOUNT_CHOICES])
    by_id = {account.public_id: account for account in accounts}
    form = WeeklySyncForm(request.POST or None, accounts=accounts,
                          initial={"time_zone": actor.time_zone, "first_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.weekly_syncs_create(
                actor=actor, accounts=[by_id[public_id] for public_id in data["accounts"]], weekday=data["weekday"],
                local_time=data["time"], duration_minutes=data["duration_minutes"], first_date=data["first_date"],
                time_zone=data["time_zone"])
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("%(count)d weekly syncs planned.") % {"count": len(result.created)})
            for account, reason in result.skipped:
                messages.warning(request, _("%(account)s left out: %(reason)s") % {"account": account.name,
                                                                                   "reason": reason})
            return redirect("meetings:calendar")
    return render(request, "meetings/weekly_sync.html", {"nav_active": "meetings", "form": form},
                  status=422 if form.errors else 200)


@login_required
def free_slots(request: AuthedRequest) -> HttpResponse:
    """Pick colleagues and a length; see the next common free slots; book one with a click."""
    actor = request.user
    colleagues = [user for user in selectors.colleagues(actor=actor) if user.pk != actor.pk]
    form = FreeSlotForm(request.GET or None, users=colleagues, initial={"length": 30, "days": 7})
    found: list[Any] = []
    people: list[Any] = []
    if request.GET and form.is_valid():
        data = form.cleaned_data
        people = [actor, *selectors.users_by_public_ids(public_ids=data["colleagues"])]
        try:
            found = slots.free_slots_for(actor=actor, users=people, length_minutes=data["length"],
                                         days=data["days"], count=10, now=timezone.now())
        except DomainError as error:
            add_domain_errors(form, error)
    return render(request, "meetings/free_slots.html", {
        "nav_active": "meetings", "form": form, "slots": found, "people": people,
        "attendees": ",".join(user.public_id for user in people[1:]),
        "title": (form.cleaned_data.get("title") if form.is_bound and form.is_valid() else "") or _("Meeting"),
        "can_create": can(actor, Action.CREATE, resource="meeting")})


@login_required
@require_POST
def free_slot_book(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    form = BookSlotForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That slot could not be read; search again."))
        return redirect("meetings:free-slots")
    data = form.cleaned_data
    try:
        attendees = selectors.users_by_public_ids(public_ids=[p for p in data["attendees"].split(",") if p])
        meeting = services.meeting_create(actor=actor, title=data["title"] or _("Meeting"), start=data["start"],
                                          end=data["end"], attendees=attendees)
    except DomainError as error:
        if isinstance(error, PermissionDenied):
            raise
        messages.error(request, error.message)
        return redirect("meetings:free-slots")
    messages.success(request, _("Meeting booked; it reaches calendars at the next sync."))
    return redirect("meetings:meeting-detail", meeting.public_id)


@login_required
def calendar_settings(request: AuthedRequest) -> HttpResponse:
    """The calendar feed address, the CalDAV account and working hours."""
    actor = request.user
    account = selectors.calendar_account_of(actor=actor)
    hours = selectors.working_hours_of(users=[actor])[actor.pk]
    caldav_form = CalendarAccountForm(
        request.POST if request.POST.get("form") == "caldav" else None,
        initial={"url": account.url, "username": account.username, "enabled": account.enabled} if account else None)
    hours_form = WorkingHoursForm(request.POST if request.POST.get("form") == "hours" else None,
                                  initial={"days": hours.days or [1, 2, 3, 4, 5], "day_start": hours.day_start,
                                           "day_end": hours.day_end})
    new_feed_url = None
    if request.method == "POST":
        step = request.POST.get("form")
        try:
            if step == "feed-rotate":
                new_feed_url = services.feed_token_rotate(actor=actor).url
                messages.success(request, _("Your new feed address is below; the old one no longer works."))
            elif step == "feed-revoke":
                services.feed_token_revoke(actor=actor)
                messages.success(request, _("Your calendar feed is switched off."))
                return redirect("meetings:settings")
            elif step == "caldav" and caldav_form.is_valid():
                data = caldav_form.cleaned_data
                sync.calendar_account_save(actor=actor, url=data["url"], username=data["username"],
                                           password=data["password"] or None, enabled=data["enabled"])
                messages.success(request, _("Calendar settings saved."))
                return redirect("meetings:settings")
            elif step == "caldav-remove":
                sync.calendar_account_delete(actor=actor)
                messages.success(request, _("Calendar sync removed."))
                return redirect("meetings:settings")
            elif step == "sync-now":
                sync.calendar_sync_request(actor=actor)
                messages.success(request, _("Sync started; refresh in a moment to see the result."))
                return redirect("meetings:settings")
            elif step == "hours" and hours_form.is_valid():
                data = hours_form.cleaned_data
                services.working_hours_update(actor=actor, days=data["days"], day_start=data["day_start"],
                                              day_end=data["day_end"])
                messages.success(request, _("Working hours saved."))
                return redirect("meetings:settings")
        except DomainError as error:
            if isinstance(error, PermissionDenied):
                raise
            add_domain_errors(hours_form if step == "hours" else caldav_form, error)
    errors = caldav_form.errors or hours_form.errors
    return render(request, "meetings/calendar_settings.html", {
        "nav_active": "meetings", "calendar_account": account, "caldav_form": caldav_form,
        "hours_form": hours_form, "feed_token": selectors.feed_token_of(actor=actor), "new_feed_url": new_feed_url,
        "time_zone": actor.time_zone}, status=422 if errors else 200)


def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The secret iCalendar feed: no login, only the token in the address."""
    user = selectors.feed_user(secret=secret.removesuffix(".ics"))
    if user is None:
        raise Http404
    since = timezone.now() - datetime.timedelta(days=90)
    meetings = selectors.my_meetings(actor=user).filter(start__lt=since + datetime.timedelta(days=800)).exclude(
        series_end__lt=since)
    body = ical.build_calendar([sync.event_facts(meeting) for meeting in meetings],
                               name=f"Tandem – {user.full_name or user.email}")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="tandem.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


