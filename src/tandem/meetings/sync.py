"""Two-way CalDAV sync of a person's calendar (services: authorise → validate → write → audit).

One sync, in order:
1. **pull** — for every meeting pushed before, fetch it from the calendar: gone or STATUS:CANCELLED cancels the
   meeting in Tandem; a changed title, time, place, a newly cancelled occurrence (EXDATE) or one occurrence
   moved, retitled or cancelled (a VEVENT with RECURRENCE-ID) is applied — as the calendar's owner, audited,
   and only if they may change the meeting (otherwise Tandem's version is pushed
   back). The calendar wins over an unsynced change in Tandem.
2. **push** — every meeting the person organises or attends that is new or changed since it was pushed goes
   up as a VEVENT with the stable UID ``<public id>@tandem``; deleted meetings, and meetings the person left,
   are deleted from the calendar.
3. **busy time** — the person's other events in the next weeks become BusyTime rows (replacing the last
   sync's), which the free-slot finder avoids.

A server that is down or sends garbage marks the account failed with a readable message; the next run tries
again. The password is stored encrypted (key derived from SECRET_KEY) and never logged or shown."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_record
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.core.jobs import enqueue_after_commit
from tandem.meetings import ical, selectors, services
from tandem.meetings.choices import BusySource, MeetingStatus, SyncStatus
from tandem.meetings.logic import UTC, decrypt_password, encrypt_password
from tandem.meetings.models import BusyTime, CalendarAccount, Meeting, SyncedEvent

logger = logging.getLogger(__name__)
CALDAV_URL = URLValidator(schemes=["http", "https"])
BUSY_DAYS = 42
PUSH_PAST = datetime.timedelta(days=30)
TIMEOUT_SECONDS = 20


def _real(obj: Any) -> Any:
    return getattr(obj, "_wrapped", obj)


def calendar_account_save(*, actor: Any, url: str, username: str, password: str | None = None,
                          enabled: bool = True) -> CalendarAccount:
    """Set ``actor``'s CalDAV account. ``password`` None or "" keeps the stored one."""
    user = _real(actor)
    if getattr(user, "pk", None) is None or getattr(user, "is_system", False):
        raise PermissionDenied(_("Only people have calendars."))
    url, username = (url or "").strip(), (username or "").strip()
    errors: dict[str, list[str]] = {}
    try:
        if len(url) > 500:
            raise ValidationError("too long")
        CALDAV_URL(url)
    except ValidationError:
        errors["url"] = [_("Enter the CalDAV address, starting with https:// (or http://).")]
    if not username or len(username) > 200:
        errors["username"] = [_("Enter the user name (at most 200 characters).")]
    existing = selectors.calendar_account_of(actor=user)
    if not password and (existing is None or not existing.password_encrypted):
        errors["password"] = [_("Enter the password.")]
    if password is not None and len(password) > 500:
        errors["password"] = [_("The password is too long.")]
    if errors:
        raise ValidationFailed(_("The calendar settings are invalid."), errors=errors)
    with transaction.atomic():
        account = existing or CalendarAccount(user=user)
        before = {"url": account.url, "username": account.username, "enabled": account.enabled}
        if existing is not None and (existing.url != url or existing.username != username):
            account.calendar_url = ""
            account.synced_events.all().delete()
        account.url, account.username, account.enabled = url, username, enabled
        if password:
            account.password_encrypted = encrypt_password(password, secret_key=settings.SECRET_KEY)
        account.save()
        changes = {key: [before[key], value] for key, value in
                   {"url": url, "username": username, "enabled": enabled}.items() if before[key] != value}
        if password:
            changes["password"] = ["…", "changed"]  # never the password itself
        if changes:
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=user,
                         changes={f"calendar.{key}": value for key, value in changes.items()})
    return account


def calendar_account_delete(*, actor: Any) -> None:
    user = _real(actor)
    with transaction.atomic():
        deleted, _rows = CalendarAccount.objects.filter(user_id=user.pk).delete()
        BusyTime.objects.filter(user_id=user.pk, source=BusySource.CALDAV).delete()
        if deleted:
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=user, changes={"calendar": ["…", "removed"]})


def calendar_sync_request(*, actor: Any) -> CalendarAccount:
    """"Sync now": queue a sync of ``actor``'s calendar."""
    from tandem.meetings.jobs import sync_calendar_job

    account = selectors.calendar_account_of(actor=actor)
    if account is None:
        raise ValidationFailed(_("Set up your calendar first."), errors={"url": [_("Set up your calendar first.")]})
    enqueue_after_commit(sync_calendar_job, account.pk)
    return account


@dataclass
class SyncSummary:
    pushed: int = 0
    deleted: int = 0
    changed_here: int = 0
    cancelled_here: int = 0
    busy_blocks: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"pushed": self.pushed, "deleted": self.deleted, "changed_here": self.changed_here,
                "cancelled_here": self.cancelled_here, "busy_blocks": self.busy_blocks, "errors": self.errors}


def _client(account: CalendarAccount) -> Any:
    import caldav

    password = decrypt_password(account.password_encrypted, secret_key=settings.SECRET_KEY)
    client_class: Any = caldav.DAVClient
    return client_class(url=account.url, username=account.username, password=password,
                        timeout=TIMEOUT_SECONDS, require_tls=urlparse(account.url).scheme == "https",
                        enable_rfc6764=False)


def _calendar(client: Any, account: CalendarAccount) -> Any:
    if account.calendar_url:
        return client.calendar(url=account.calendar_url)
    principal = client.principal()
    calendars = principal.calendars()
    calendar = calendars[0] if calendars else principal.make_calendar(name="Tandem")
    account.calendar_url = str(calendar.url)
    CalendarAccount.objects.filter(pk=account.pk).update(calendar_url=account.calendar_url)
    return calendar


def calendar_sync(*, calendar_account: CalendarAccount, now: datetime.datetime | None = None) -> SyncSummary:
    """Sync one CalDAV account now (jobs call this; see the module docstring). Never raises for server
    trouble: the account records the failure and the next run retries."""
    now = now or timezone.now()
    account = CalendarAccount.objects.select_related("user").get(pk=calendar_account.pk)
    summary = SyncSummary()
    try:
        calendar = _calendar(_client(account), account)
        _pull(account, calendar, summary)
        _push(account, calendar, summary, now)
        _busy(account, calendar, summary, now)
    except Exception as error:  # network errors, HTTP errors, unparseable answers: all reported the same way
        message = f"{type(error).__name__}: {error}"[:500]
        logger.warning("Calendar sync for user %s failed: %s", account.user_id, message)
        CalendarAccount.objects.filter(pk=account.pk).update(status=SyncStatus.FAILED, last_error=message,
                                                             last_synced_at=now, last_summary=summary.as_dict())
        summary.errors.append(message)
        return summary
    CalendarAccount.objects.filter(pk=account.pk).update(status=SyncStatus.OK, last_error="", last_synced_at=now,
                                                         last_summary=summary.as_dict())
    return summary


def _fetch(calendar: Any, href: str) -> Any | None:
    """The event at ``href``, loaded; None when the server says it is gone."""
    from caldav.lib import error as caldav_error

    try:
        event = calendar.event_by_url(href)
        event.load()
    except caldav_error.NotFoundError:
        return None
    return event


def _pull(account: CalendarAccount, calendar: Any, summary: SyncSummary) -> None:
    user = account.user
    rows = SyncedEvent.objects.filter(calendar=account, meeting__isnull=False).select_related("meeting")
    for row in rows:
        meeting = row.meeting
        assert meeting is not None
        event = _fetch(calendar, row.href)
        if event is None:
            if meeting.status == MeetingStatus.SCHEDULED and can(user, Action.CHANGE, meeting):
                services.meeting_cancel(actor=user, meeting=meeting)
                summary.cancelled_here += 1
            row.delete()
            continue
        etag = str(event.etag or "")
        if etag and etag == row.etag:
            continue
        data = event.data
        remote = ical.parse_master(data)
        if remote is None:
            continue
        if not can(user, Action.CHANGE, meeting):
            SyncedEvent.objects.filter(pk=row.pk).update(etag="")  # no ETag: the push puts Tandem's version back
            continue
        _apply_remote(user, meeting, remote, ical.parse_overrides(data), summary)
        meeting.refresh_from_db()
        SyncedEvent.objects.filter(pk=row.pk).update(etag=etag, sequence=meeting.sequence, synced_at=timezone.now())


def _apply_remote(user: Any, meeting: Meeting, remote: ical.RemoteEvent,
                  overrides: tuple[ical.RemoteOverride, ...], summary: SyncSummary) -> None:
    if remote.cancelled:
        if meeting.status == MeetingStatus.SCHEDULED:
            services.meeting_cancel(actor=user, meeting=meeting)
            summary.cancelled_here += 1
        return
    changes: dict[str, Any] = {}
    title_before = meeting.title
    if remote.title and remote.title != meeting.title:
        changes["title"] = remote.title
    if remote.start != meeting.start or remote.end != meeting.end:
        changes["start"], changes["end"] = remote.start, remote.end
    if remote.location != meeting.location:
        changes["location"] = remote.location
    if changes:
        services.meeting_update(actor=user, meeting=meeting, **changes)
        summary.changed_here += 1
        meeting.refresh_from_db()
    if meeting.rrule:
        ours = {datetime.datetime.fromisoformat(value).astimezone(UTC) for value in meeting.exdates}
        for moment in remote.exdates:
            if moment not in ours:
                try:
                    services.occurrence_cancel(actor=user, meeting=meeting, original_start=moment)
                    summary.changed_here += 1
                except ValidationFailed:
                    continue  # not an occurrence of ours: ignore
        _apply_remote_overrides(user, meeting, overrides, title_before, summary)


def _apply_remote_overrides(user: Any, meeting: Meeting, overrides: tuple[ical.RemoteOverride, ...],
                            title_before: str, summary: SyncSummary) -> None:
    """Occurrences changed in the calendar (VEVENTs with RECURRENCE-ID) become Tandem's: cancelled ones an
    EXDATE, moved or retitled ones an override. A title that is the series' (before or after this pull) is
    no title of its own. Overrides Tandem has but the calendar lacks are kept (the push sends them again)."""
    meeting.refresh_from_db()
    series = selectors.series_of(meeting)
    ours = {item.original_start: item for item in series.overrides}
    duration = meeting.end - meeting.start
    for remote in overrides:
        if remote.recurrence_id in series.exdates:
            continue
        try:
            if remote.cancelled:
                services.occurrence_cancel(actor=user, meeting=meeting, original_start=remote.recurrence_id)
                summary.changed_here += 1
                continue
            current = ours.get(remote.recurrence_id)
            start, end = ((current.start, current.end) if current is not None
                          else (remote.recurrence_id, remote.recurrence_id + duration))
            own_title = current.title if current is not None else ""
            if remote.title == meeting.title:
                title = ""  # the series' title: no title of its own
            elif remote.title in ("", title_before, own_title):
                title = own_title  # unchanged, or the series' title before this pull renamed it
            else:
                title = remote.title
            if (remote.start, remote.end, title) == (start, end, own_title):
                continue
            services.occurrence_move(actor=user, meeting=meeting, original_start=remote.recurrence_id,
                                     start=remote.start, end=remote.end, title=title)
            summary.changed_here += 1
        except ValidationFailed:
            continue  # not an occurrence of ours (or an impossible time): ignore


def _facts(meeting: Meeting) -> ical.EventFacts:
    series = selectors.series_of(meeting)
    return ical.EventFacts(
        uid=meeting.ical_uid, title=meeting.title, start=meeting.start, end=meeting.end, time_zone=meeting.time_zone,
        sequence=meeting.sequence, updated_at=meeting.updated_at, cancelled=meeting.status == MeetingStatus.CANCELLED,
        rrule=meeting.rrule, exdates=tuple(sorted(series.exdates)), overrides=series.overrides,
        location=meeting.location or meeting.video_url,
        description="\n\n".join(part for part in (meeting.agenda, meeting.video_url) if part),
        url=settings.BASE_URL + reverse("meetings:meeting-detail", args=[meeting.public_id]),
        organiser_email=meeting.organiser.email,
        attendee_emails=tuple(user.email for user in meeting.attendees.all()))


def event_facts(meeting: Meeting) -> ical.EventFacts:
    """The calendar facts of a meeting (for the feed as well)."""
    return _facts(meeting)


def _push(account: CalendarAccount, calendar: Any, summary: SyncSummary, now: datetime.datetime) -> None:
    import caldav

    user = account.user
    rows = {row.meeting_id: row for row in SyncedEvent.objects.filter(calendar=account, meeting__isnull=False)}
    mine = selectors.my_meetings(actor=user).filter(
        Q(series_end__isnull=True) | Q(series_end__gt=now - PUSH_PAST)).filter(
        Q(status=MeetingStatus.SCHEDULED) | Q(pk__in=list(rows)))
    kept: set[int] = set()
    for meeting in mine:
        kept.add(meeting.pk)
        row = rows.get(meeting.pk)
        if row is not None and row.sequence == meeting.sequence and row.etag:
            continue
        data = ical.build_event_calendar(_facts(meeting))
        if row is None:
            event = calendar.save_event(data)
        else:
            event_class: Any = caldav.Event
            event = event_class(client=calendar.client, url=row.href, data=data, parent=calendar)
            event.save()
        event = _fetch(calendar, str(event.url)) or event
        SyncedEvent.objects.update_or_create(calendar=account, uid=meeting.ical_uid, defaults={
            "meeting": meeting, "href": str(event.url), "etag": str(event.etag or ""), "sequence": meeting.sequence,
            "synced_at": timezone.now()})
        summary.pushed += 1
    gone = SyncedEvent.objects.filter(calendar=account).filter(Q(meeting__isnull=True) | ~Q(meeting_id__in=kept))
    for row in gone:
        existing = _fetch(calendar, row.href)
        if existing is not None:
            existing.delete()
        row.delete()
        summary.deleted += 1


def _busy(account: CalendarAccount, calendar: Any, summary: SyncSummary, now: datetime.datetime) -> None:
    start, end = now, now + datetime.timedelta(days=BUSY_DAYS)
    ours = set(SyncedEvent.objects.filter(calendar=account).values_list("uid", flat=True))
    blocks: list[BusyTime] = []
    for event in calendar.search(start=start, end=end, event=True, expand=False):
        data = event.data
        master = ical.parse_master(data)
        if master is None or master.uid in ours or master.uid.endswith("@tandem"):
            continue
        for uid, block_start, block_end in ical.busy_blocks(data, window_start=start, window_end=end):
            blocks.append(BusyTime(user=account.user, start=block_start, end=block_end, source=BusySource.CALDAV,
                                   external_uid=uid[:300]))
    with transaction.atomic():
        BusyTime.objects.filter(user=account.user, source=BusySource.CALDAV).delete()
        BusyTime.objects.bulk_create(blocks)
    summary.busy_blocks = len(blocks)


def calendars_sync_due(*, now: datetime.datetime | None = None) -> int:
    """Sync every enabled calendar not synced for TANDEM_CALENDAR_SYNC_MINUTES; returns how many."""
    now = now or timezone.now()
    due = selectors.calendar_accounts_due(older_than=now - datetime.timedelta(minutes=settings.CALENDAR_SYNC_MINUTES))
    count = 0
    for account in due[:200]:
        calendar_sync(calendar_account=account, now=now)
        count += 1
    return count
