"""Writes for meetings: authorise → validate → write → audit → timeline → notify.

Meetings (single or recurring), cancelling or moving one occurrence, outcome notes (a meeting activity on the
account's timeline, kept in step), the weekly CSM–AM sync for key accounts in one step, reminders (exactly once
per occurrence and person), the calendar feed's secret and working hours. CalDAV sync lives in ``sync.py``."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.access.choices import Action
from tandem.access.decide import can, restrict
from tandem.accounts.models import Account
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_created, audit_deleted, audit_record, diff, snapshot
from tandem.contacts.models import Contact
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.identity.models import User
from tandem.meetings import selectors
from tandem.meetings.choices import MeetingStatus
from tandem.meetings.logic import (
    UTC,
    RuleError,
    check_rule,
    expand,
    feed_secret_hash,
    is_occurrence,
    is_time_zone,
    new_feed_secret,
)
from tandem.meetings.models import CalendarFeedToken, Meeting, MeetingOverride, ReminderClaim, WorkingHours
from tandem.meetings.outcomes import meeting_outcome_sync, outcomes_follow_meeting
from tandem.notifications.services import notify
from tandem.notifications.text import translatable
from tandem.timeline.logic import render_markdown

AUDITED = ("title", "start", "end", "time_zone", "account", "location", "video_url", "agenda", "outcome_notes",
           "status", "rrule", "exdates", "reminder_minutes")
EDITABLE = ("title", "start", "end", "time_zone", "account", "location", "video_url", "agenda", "outcome_notes",
            "rrule", "reminder_minutes", "attendees", "contacts")
MAX_PEOPLE = 100
MAX_DURATION = datetime.timedelta(days=7)
MAX_TEXT = 20_000
MAX_REMINDER_MINUTES = 7 * 24 * 60
REMINDER_CATCH_UP = datetime.timedelta(minutes=10)  # a reminder whose moment passed longer ago is skipped
VIDEO_URL = URLValidator(schemes=["http", "https"])


def _user(actor: Any) -> User | None:
    """The user behind ``actor`` (unwrapping request.user's lazy proxy), or None for the system."""
    if getattr(actor, "is_system", False) or getattr(actor, "pk", None) is None:
        return None
    return getattr(actor, "_wrapped", actor)


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors={field: [message]})


def _related(meeting: Meeting) -> dict[str, list[str]]:
    return {"attendees": sorted(str(user) for user in meeting.attendees.all()),
            "contacts": sorted(str(contact) for contact in meeting.contacts.all())}


def _validate(meeting: Meeting) -> None:
    errors: dict[str, list[str]] = {}
    meeting.title = " ".join((meeting.title or "").split())
    meeting.location = (meeting.location or "").strip()
    meeting.video_url = (meeting.video_url or "").strip()
    meeting.agenda = (meeting.agenda or "").strip()
    meeting.outcome_notes = (meeting.outcome_notes or "").strip()
    if not meeting.title:
        errors["title"] = [_("Give the meeting a title.")]
    elif len(meeting.title) > 200:
        errors["title"] = [_("At most %(limit)d characters (this has %(length)d).")
                           % {"limit": 200, "length": len(meeting.title)}]
    if len(meeting.location) > 300:
        errors["location"] = [_("At most %(limit)d characters (this has %(length)d).")
                              % {"limit": 300, "length": len(meeting.location)}]
    for name in ("agenda", "outcome_notes"):
        if len(getattr(meeting, name)) > MAX_TEXT:
            errors[name] = [_("At most %(limit)d characters (this has %(length)d).")
                            % {"limit": MAX_TEXT, "length": len(getattr(meeting, name))}]
    if meeting.video_url:
        try:
            if len(meeting.video_url) > 500:
                raise ValidationError("too long")
            VIDEO_URL(meeting.video_url)
        except ValidationError:
            errors["video_url"] = [_("Enter a web address starting with https:// (or http://).")]
    if not is_time_zone(meeting.time_zone or ""):
        errors["time_zone"] = [_("Unknown time zone: %(zone)s") % {"zone": meeting.time_zone}]
    times_ok = True
    for name in ("start", "end"):
        value = getattr(meeting, name)
        if not isinstance(value, datetime.datetime) or timezone.is_naive(value):
            errors[name] = [_("Give the time with its time zone.")]
            times_ok = False
    if times_ok:
        meeting.start, meeting.end = meeting.start.astimezone(UTC), meeting.end.astimezone(UTC)
        if meeting.end <= meeting.start:
            errors["end"] = [_("The meeting must end after it starts.")]
        elif meeting.end - meeting.start > MAX_DURATION:
            errors["end"] = [_("A meeting lasts at most seven days.")]
    if not isinstance(meeting.reminder_minutes, int) or not 0 <= meeting.reminder_minutes <= MAX_REMINDER_MINUTES:
        errors["reminder_minutes"] = [_("Between 0 and %(limit)d minutes.") % {"limit": MAX_REMINDER_MINUTES}]
    meeting.rrule = (meeting.rrule or "").strip()
    meeting.series_end = None if meeting.rrule else (meeting.end if times_ok else None)
    if meeting.rrule and "rrule" not in errors and times_ok and "end" not in errors and "time_zone" not in errors:
        try:
            facts = check_rule(rrule=meeting.rrule, start=meeting.start, end=meeting.end,
                               time_zone=meeting.time_zone)
        except RuleError as error:
            errors["rrule"] = [_("Not a usable recurrence rule: %(reason)s") % {"reason": error}]
        else:
            meeting.rrule, meeting.series_end = facts.rrule, facts.series_end
    if errors:
        raise ValidationFailed(_("The meeting is invalid."), errors=errors)
    meeting.agenda_html = render_markdown(meeting.agenda)


def _check_account(actor: Any, account: Account | None) -> None:
    if account is not None and not can(actor, Action.VIEW, account):
        raise _fail("account", _("Unknown account."))


def _attendees(users: Iterable[User]) -> list[User]:
    users = list(dict.fromkeys(users))
    if len(users) > MAX_PEOPLE:
        raise _fail("attendees", _("At most %(limit)d attendees.") % {"limit": MAX_PEOPLE})
    inactive = [user for user in users if not user.is_active]
    if inactive:
        raise _fail("attendees", _("%(name)s is deactivated and cannot attend.") % {"name": inactive[0]})
    blind = [user for user in users if not can(user, Action.VIEW, resource="meeting")]
    if blind:
        raise _fail("attendees", _("%(name)s may not see meetings, so cannot be invited; ask an administrator "
                                   "for a role.") % {"name": blind[0]})
    return users


def _contacts(actor: Any, contacts: Iterable[Contact]) -> list[Contact]:
    contacts = list(dict.fromkeys(contacts))
    if len(contacts) > MAX_PEOPLE:
        raise _fail("contacts", _("At most %(limit)d contacts.") % {"limit": MAX_PEOPLE})
    visible = set(restrict(Contact.objects.filter(pk__in=[c.pk for c in contacts]), actor)
                  .values_list("pk", flat=True))
    if len(visible) != len(contacts):
        raise _fail("contacts", _("Unknown contact."))
    return contacts


def meeting_create(*, actor: Any, title: str, start: datetime.datetime, end: datetime.datetime,
                   time_zone: str = "", attendees: Iterable[User] = (), contacts: Iterable[Contact] = (),
                   account: Account | None = None, location: str = "", video_url: str = "", agenda: str = "",
                   outcome_notes: str = "", rrule: str = "", reminder_minutes: int = 15,
                   organiser: User | None = None) -> Meeting:
    """Plan a meeting (a series when ``rrule`` is set). The organiser is ``actor`` unless a system job names
    one; ``time_zone`` defaults to the organiser's."""
    if not can(actor, Action.CREATE, resource="meeting"):
        raise PermissionDenied(_("You may not plan meetings."))
    organiser = organiser or _user(actor)
    if organiser is None:
        raise _fail("organiser", _("A meeting needs an organiser."))
    _check_account(actor, account)
    meeting = Meeting(title=title, start=start, end=end, time_zone=time_zone or organiser.time_zone or "UTC",
                      organiser=organiser, account=account, location=location, video_url=video_url, agenda=agenda,
                      outcome_notes=outcome_notes, rrule=rrule, reminder_minutes=reminder_minutes)
    _validate(meeting)
    people = _attendees(attendees)
    visible_contacts = _contacts(actor, contacts)
    with transaction.atomic():
        meeting.save()
        meeting.attendees.set(people)
        meeting.contacts.set(visible_contacts)
        audit_created(actor=actor, obj=meeting, fields=AUDITED)
        meeting_outcome_sync(actor=actor, meeting=meeting)
        if meeting.rrule:  # a series keeps notes per occurrence: these belong to the first one
            outcomes_follow_meeting(actor=actor, meeting=meeting, changed={"rrule": ["", meeting.rrule]})
    return meeting


def meeting_update(*, actor: Any, meeting: Meeting, **changes: Any) -> Meeting:
    """Change a meeting. Changing the times or the rule of a series drops its moved occurrences' overrides
    that no longer belong to it. ``outcome_notes`` are a one-off meeting's (they land on the account's
    timeline); a series' notes belong to its occurrences (``outcomes.occurrence_notes_save``)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(_("Unknown fields."), errors={name: [_("Unknown field.")] for name in unknown})
    if not can(actor, Action.CHANGE, meeting):
        raise PermissionDenied(_("You may not change this meeting."))
    if "account" in changes:
        _check_account(actor, changes["account"])
    with transaction.atomic():
        locked = Meeting.objects.select_for_update(of=("self",)).select_related("account", "organiser").get(
            pk=meeting.pk)
        before = {**snapshot(locked, AUDITED), **_related(locked)}
        was_recurring = bool(locked.rrule)
        for name in EDITABLE:
            if name in changes and name not in ("attendees", "contacts"):
                setattr(locked, name, changes[name])
        _validate(locked)
        if was_recurring and locked.rrule and "outcome_notes" in changes and locked.outcome_notes:
            raise _fail("outcome_notes", _("This meeting repeats: its outcome notes belong to each occurrence."))
        if "attendees" in changes:
            locked.attendees.set(_attendees(changes["attendees"]))
        if "contacts" in changes:
            locked.contacts.set(_contacts(actor, changes["contacts"]))
        changed = diff(before, {**snapshot(locked, AUDITED), **_related(locked)})
        if changed:
            if {"start", "end", "rrule", "time_zone"} & set(changed):
                _drop_stray_exceptions(locked)
            if {"title", "start", "end", "time_zone", "location", "video_url", "agenda", "rrule", "exdates",
                    "status", "attendees"} & set(changed):
                locked.sequence = F("sequence") + 1
            locked.save()
            locked.refresh_from_db()
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=locked, changes=changed)
            meeting_outcome_sync(actor=actor, meeting=locked)
            outcomes_follow_meeting(actor=actor, meeting=locked, changed=changed)
    return locked


def _drop_stray_exceptions(meeting: Meeting) -> None:
    series = selectors.series_of(meeting)
    meeting.exdates = [value for value in meeting.exdates or []
                       if is_occurrence(series, datetime.datetime.fromisoformat(value))]
    for override in list(meeting.overrides.all()):
        if not meeting.rrule or not is_occurrence(series, override.original_start):
            override.delete()


def meeting_cancel(*, actor: Any, meeting: Meeting) -> Meeting:
    """Cancel the whole meeting (or series); it stays, marked cancelled, so calendars learn of it."""
    if not can(actor, Action.CHANGE, meeting):
        raise PermissionDenied(_("You may not change this meeting."))
    with transaction.atomic():
        locked = Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
        if locked.status == MeetingStatus.CANCELLED:
            return locked
        locked.status = MeetingStatus.CANCELLED
        locked.sequence = F("sequence") + 1
        locked.save(update_fields=["status", "sequence", "updated_at"])
        locked.refresh_from_db()
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=locked,
                     changes={"status": [MeetingStatus.SCHEDULED, MeetingStatus.CANCELLED]})
    return locked


def meeting_delete(*, actor: Any, meeting: Meeting) -> None:
    if not can(actor, Action.DELETE, meeting):
        raise PermissionDenied(_("You may not delete this meeting."))
    with transaction.atomic():
        audit_deleted(actor=actor, obj=meeting, fields=AUDITED)
        meeting.delete()


def _occurrence(meeting: Meeting, original_start: datetime.datetime) -> datetime.datetime:
    if not isinstance(original_start, datetime.datetime) or timezone.is_naive(original_start):
        raise _fail("occurrence", _("Give the occurrence's start with its time zone."))
    original_start = original_start.astimezone(UTC)
    if not meeting.rrule:
        raise _fail("occurrence", _("This meeting does not repeat; cancel the meeting instead."))
    if not is_occurrence(selectors.series_of(meeting), original_start):
        raise _fail("occurrence", _("The series has no occurrence starting at %(start)s.")
                    % {"start": original_start.isoformat()})
    return original_start


def occurrence_cancel(*, actor: Any, meeting: Meeting, original_start: datetime.datetime) -> Meeting:
    """Cancel one occurrence of a series (an EXDATE)."""
    if not can(actor, Action.CHANGE, meeting):
        raise PermissionDenied(_("You may not change this meeting."))
    original_start = _occurrence(meeting, original_start)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
        value = original_start.isoformat()
        if value in locked.exdates:
            return locked
        before = list(locked.exdates)
        locked.exdates = sorted([*locked.exdates, value])
        locked.sequence = F("sequence") + 1
        locked.save(update_fields=["exdates", "sequence", "updated_at"])
        MeetingOverride.objects.filter(meeting=locked, original_start=original_start).delete()
        locked.refresh_from_db()
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=locked, changes={"exdates": [before,
                                                                                              locked.exdates]})
    return locked


def occurrence_move(*, actor: Any, meeting: Meeting, original_start: datetime.datetime,
                    start: datetime.datetime, end: datetime.datetime, title: str | None = None) -> MeetingOverride:
    """Move one occurrence of a series to another time (a RECURRENCE-ID override); ``title`` gives it its own
    title ("" = the series' title, None = keep what it has)."""
    if not can(actor, Action.CHANGE, meeting):
        raise PermissionDenied(_("You may not change this meeting."))
    original_start = _occurrence(meeting, original_start)
    if any(not isinstance(value, datetime.datetime) or timezone.is_naive(value) for value in (start, end)):
        raise _fail("start", _("Give the time with its time zone."))
    if end <= start:
        raise _fail("end", _("The meeting must end after it starts."))
    if end - start > MAX_DURATION:
        raise _fail("end", _("A meeting lasts at most seven days."))
    if title is not None:
        title = " ".join(title.split())
        if title == meeting.title:
            title = ""
        if len(title) > 200:
            raise _fail("title", _("At most %(limit)d characters (this has %(length)d).")
                        % {"limit": 200, "length": len(title)})
    with transaction.atomic():
        locked = Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
        defaults: dict[str, Any] = {"start": start.astimezone(UTC), "end": end.astimezone(UTC)}
        if title is not None:
            defaults["title"] = title
        override, _created = MeetingOverride.objects.update_or_create(
            meeting=locked, original_start=original_start, defaults=defaults)
        Meeting.objects.filter(pk=locked.pk).update(sequence=F("sequence") + 1, updated_at=timezone.now())
        changes = {"occurrence": [original_start.isoformat(),
                                  f"{override.start.isoformat()}–{override.end.isoformat()}"]}
        if override.title:
            changes["occurrence_title"] = [locked.title, override.title]
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=locked, changes=changes)
    return override


# --- the weekly CSM–AM sync ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeeklySyncResult:
    """The series created, and the accounts left out with why."""

    created: tuple[Meeting, ...]
    skipped: tuple[tuple[Account, str], ...]


def weekly_syncs_create(*, actor: Any, accounts: Sequence[Account], weekday: int, local_time: datetime.time,
                        duration_minutes: int, first_date: datetime.date, time_zone: str = "") -> WeeklySyncResult:
    """For each account, a weekly series with the account's CSM and AM (from the account team) as attendees,
    on ISO ``weekday`` (1 = Monday) at ``local_time`` in ``time_zone``, from ``first_date`` on. Accounts
    without both a CSM and an AM, or that already have this series, are skipped."""
    from tandem.accounts import selectors as account_selectors
    from tandem.meetings.logic import WEEKDAY_CODES, zone

    if not can(actor, Action.CREATE, resource="meeting"):
        raise PermissionDenied(_("You may not plan meetings."))
    time_zone = time_zone or getattr(actor, "time_zone", "") or "UTC"
    if not is_time_zone(time_zone):
        raise _fail("time_zone", _("Unknown time zone: %(zone)s") % {"zone": time_zone})
    if weekday not in range(1, 8):
        raise _fail("weekday", _("Choose a weekday."))
    if not 5 <= duration_minutes <= 480:
        raise _fail("duration_minutes", _("Between 5 and 480 minutes."))
    if not accounts:
        raise _fail("accounts", _("Choose at least one account."))
    day = first_date + datetime.timedelta(days=(weekday - first_date.isoweekday()) % 7)
    start = datetime.datetime.combine(day, local_time, tzinfo=zone(time_zone)).astimezone(UTC)
    created: list[Meeting] = []
    skipped: list[tuple[Account, str]] = []
    with transaction.atomic():
        for account in accounts:
            if not can(actor, Action.VIEW, account):
                skipped.append((account, _("not visible to you")))
                continue
            team = {member.role.code: member.user for member in account_selectors.account_team(actor=actor,
                                                                                                account=account)}
            csm, am = team.get("csm"), team.get("am")
            if csm is None or am is None:
                skipped.append((account, _("the account team has no CSM or no AM")))
                continue
            title = _("CSM–AM sync: %(account)s") % {"account": account.name}
            if Meeting.objects.filter(account=account, title=title, status=MeetingStatus.SCHEDULED).exclude(
                    rrule="").exists():
                skipped.append((account, _("it already has this weekly sync")))
                continue
            created.append(meeting_create(
                actor=actor, title=title, start=start, end=start + datetime.timedelta(minutes=duration_minutes),
                time_zone=time_zone, attendees=[csm, am], account=account,
                rrule=f"FREQ=WEEKLY;BYDAY={WEEKDAY_CODES[weekday - 1]}",
                organiser=_user(actor) or csm))
    return WeeklySyncResult(created=tuple(created), skipped=tuple(skipped))


# --- reminders -------------------------------------------------------------------------------------------------


def reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Send the reminders whose moment has come (within the last ten minutes, for a worker that was down
    briefly). Each occurrence is claimed by inserting a ReminderClaim row in the transaction that notifies:
    when two workers race, the second insert fails and that worker skips it; the notification's event key
    guards each person as well. Returns how many occurrences were reminded of."""
    now = (now or timezone.now()).astimezone(UTC)
    horizon = now + datetime.timedelta(minutes=MAX_REMINDER_MINUTES)
    candidates = selectors.in_window(Meeting.objects.filter(status=MeetingStatus.SCHEDULED), now, horizon)
    sent = 0
    for meeting in candidates.select_related("organiser").prefetch_related("attendees", "overrides"):
        lead = datetime.timedelta(minutes=meeting.reminder_minutes)
        window_end = now + lead + datetime.timedelta(seconds=1)
        for occurrence in expand(selectors.series_of(meeting), window_start=now, window_end=window_end, limit=50):
            fire_at = occurrence.start - lead
            if occurrence.start <= now or not now - REMINDER_CATCH_UP <= fire_at <= now:
                continue
            if _remind(meeting, occurrence.original_start, occurrence.start):
                sent += 1
    return sent


def _remind(meeting: Meeting, original_start: datetime.datetime, start: datetime.datetime) -> bool:
    people = [meeting.organiser, *meeting.attendees.all()]
    try:
        with transaction.atomic():
            ReminderClaim.objects.create(meeting=meeting, occurrence_start=original_start)
            url = reverse("meetings:meeting-detail", args=[meeting.public_id])
            for person in dict.fromkeys(people):
                local = timezone.localtime(start, timezone=_zone_or_utc(person.time_zone))
                notify(recipients=[person], kind="meeting_reminder",
                       title=translatable(gettext_lazy("%(title)s at %(time)s"), title=meeting.title,
                                          time=local.strftime("%H:%M")),
                       body=translatable(gettext_lazy("Starts %(when)s (%(zone)s)."),
                                         when=local.strftime("%Y-%m-%d %H:%M"), zone=person.time_zone),
                       url=url, source=meeting, actor=None,
                       event_key=f"meeting:{meeting.pk}:{original_start.isoformat()}:{person.pk}")
    except IntegrityError:
        return False  # another worker claimed this occurrence
    return True


def _zone_or_utc(name: str) -> datetime.tzinfo:
    from tandem.meetings.logic import zone

    try:
        return zone(name)
    except RuleError:
        return UTC


# --- calendar feed and working hours ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedSecret:
    """A new feed secret: shown once, never stored in the clear."""

    secret: str
    url: str


def feed_token_rotate(*, actor: Any) -> FeedSecret:
    """Make a new secret feed address for ``actor``; the old one stops working at once."""
    user = _user(actor)
    if user is None:
        raise PermissionDenied(_("Only people have calendar feeds."))
    secret = new_feed_secret()
    with transaction.atomic():
        CalendarFeedToken.objects.update_or_create(user=user, defaults={"token_hash": feed_secret_hash(secret),
                                                                        "prefix": secret[:8]})
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=user, changes={"calendar_feed": ["…", "rotated"]})
    from django.conf import settings

    return FeedSecret(secret=secret, url=settings.BASE_URL + reverse("meetings:calendar-feed", args=[secret]))


def feed_token_revoke(*, actor: Any) -> None:
    user = _user(actor)
    if user is None:
        return
    with transaction.atomic():
        deleted, _rows = CalendarFeedToken.objects.filter(user_id=user.pk).delete()
        if deleted:
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=user,
                         changes={"calendar_feed": ["…", "revoked"]})


def working_hours_update(*, actor: Any, days: Iterable[int], day_start: datetime.time,
                         day_end: datetime.time) -> WorkingHours:
    user = _user(actor)
    if user is None:
        raise PermissionDenied(_("Only people have working hours."))
    chosen = sorted({int(day) for day in days})
    errors: dict[str, list[str]] = {}
    if not chosen or any(day not in range(1, 8) for day in chosen):
        errors["days"] = [_("Choose at least one working day.")]
    if day_end <= day_start:
        errors["day_end"] = [_("The working day must end after it starts.")]
    if errors:
        raise ValidationFailed(_("The working hours are invalid."), errors=errors)
    with transaction.atomic():
        row, _created = WorkingHours.objects.get_or_create(user=user, defaults={"days": chosen,
                                                                              "day_start": day_start,
                                                                              "day_end": day_end})
        before = {"days": row.days, "day_start": str(row.day_start), "day_end": str(row.day_end)}
        row.days, row.day_start, row.day_end = chosen, day_start, day_end
        row.save()
        changed = diff(before, {"days": chosen, "day_start": str(day_start), "day_end": str(day_end)})
        if changed:
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=user, changes={
                f"working_hours.{key}": value for key, value in changed.items()})
    return row
