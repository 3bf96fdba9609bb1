"""The iCalendar feed (parsed back and checked against the meetings) and two-way CalDAV sync against a real
Radicale server."""

from __future__ import annotations

import datetime
import logging
from zoneinfo import ZoneInfo

import caldav
import icalendar
import recurring_ical_events
from django.test import Client

from tandem.core.testing.fixtures import logged_in
from tandem.meetings import selectors, services, sync
from tandem.meetings.choices import SyncStatus
from tandem.meetings.models import BusyTime, CalendarAccount, SyncedEvent

UTC = datetime.UTC
HOUR = datetime.timedelta(hours=1)
NOW = datetime.datetime.now(UTC).replace(microsecond=0)
START = (NOW + datetime.timedelta(days=2)).replace(hour=9, minute=0, second=0)


def plan(actor, **fields):
    values = {"title": "Weekly sync", "start": START, "end": START + HOUR, "time_zone": "Europe/Berlin"}
    values.update(fields)
    return services.meeting_create(actor=actor, **values)


# --- the feed ------------------------------------------------------------------------------------------------

def test_the_feed_is_valid_icalendar_with_timezones_and_the_recurrence_expands_like_tandem(csm, am):
    series = plan(csm, attendees=[am], rrule="FREQ=WEEKLY;COUNT=6")
    single = plan(am, title="Kick-off", attendees=[csm], time_zone="Asia/Seoul",
                  start=START + datetime.timedelta(hours=30), end=START + datetime.timedelta(hours=31))
    second = START + datetime.timedelta(days=7)
    services.occurrence_cancel(actor=csm, meeting=series, original_start=series.start + datetime.timedelta(days=7))
    services.occurrence_move(actor=csm, meeting=series, original_start=series.start + datetime.timedelta(days=14),
                             start=second + datetime.timedelta(days=8), end=second + datetime.timedelta(days=8) + HOUR)
    plan(am, title="Not Carla's")
    url = services.feed_token_rotate(actor=csm).url
    response = Client().get(url.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    assert {str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")} == {"Europe/Berlin", "Asia/Seoul"}
    events = calendar.walk("VEVENT")
    assert {str(event["summary"]) for event in events} == {"Weekly sync", "Kick-off"}
    master = next(e for e in events if str(e["summary"]) == "Weekly sync" and "recurrence-id" not in e)
    assert master["dtstart"].params["TZID"] == "Europe/Berlin" and "exdate" in master and "rrule" in master
    assert any("recurrence-id" in event for event in events)
    window_end = START + datetime.timedelta(days=60)
    parsed = sorted(occurrence.decoded("dtstart").astimezone(UTC)
                    for occurrence in recurring_ical_events.of(calendar).between(START, window_end))
    expected = sorted(item.start for item in selectors.my_occurrences(actor=csm, start=START, end=window_end))
    assert parsed == expected and len(expected) == 6  # five of six weekly ones plus the kick-off
    assert single.start in parsed


def test_a_rotated_feed_address_stops_the_old_one_and_a_bad_token_is_404(csm):
    old = services.feed_token_rotate(actor=csm).url.removeprefix("http://127.0.0.1:8000")
    new = services.feed_token_rotate(actor=csm).url.removeprefix("http://127.0.0.1:8000")
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    assert Client().get("/meetings/feed/cal_nonsense").status_code == 404


def test_the_settings_page_rotates_the_feed_and_shows_the_address_once(csm):
    client = logged_in(csm)
    page = client.post("/meetings/settings/", {"form": "feed-rotate"})
    assert page.status_code == 200 and b"/meetings/feed/cal_" in page.content
    assert b"/meetings/feed/cal_" not in client.get("/meetings/settings/").content


# --- CalDAV --------------------------------------------------------------------------------------------------

def _server_calendar(radicale):
    client = caldav.DAVClient(url=radicale.principal_url, username=radicale.username, password=radicale.password,
                              require_tls=False)
    return client.principal().calendars()[0]


def test_caldav_round_trip_push_change_cancel_and_busy_time(radicale, csm, am, caplog):
    caplog.set_level(logging.DEBUG)
    account = sync.calendar_account_save(actor=csm, url=radicale.principal_url, username="carla",
                                         password="calendar-secret")
    assert "calendar-secret" not in account.password_encrypted
    meeting = plan(am, attendees=[csm], title="Renewal prep")
    weekly = plan(csm, title="CSM-AM sync", rrule="FREQ=WEEKLY;COUNT=4")
    first = sync.calendar_sync(calendar_account=account, now=NOW)
    account.refresh_from_db()
    assert account.status == SyncStatus.OK and first.pushed == 2, account.last_error
    remote = _server_calendar(radicale)
    uids = {str(event.icalendar_component["uid"]) for event in remote.events()}
    assert uids == {meeting.ical_uid, weekly.ical_uid}

    # someone moves the meeting and renames it in their calendar app; a private event blocks time
    event = remote.event_by_uid(meeting.ical_uid)
    component = event.icalendar_component
    component["summary"] = icalendar.vText("Renewal prep (moved)")
    new_start = START + datetime.timedelta(days=1, hours=2)
    component["dtstart"] = icalendar.vDDDTypes(new_start)
    component["dtend"] = icalendar.vDDDTypes(new_start + HOUR)
    event.save()
    remote.save_event(f"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//test//EN
BEGIN:VEVENT
UID:dentist@example.test
DTSTAMP:20250101T000000Z
DTSTART:{(START + datetime.timedelta(days=3)):%Y%m%dT%H%M%SZ}
DTEND:{(START + datetime.timedelta(days=3, hours=2)):%Y%m%dT%H%M%SZ}
SUMMARY:Dentist
END:VEVENT
END:VCALENDAR
""")
    second = sync.calendar_sync(calendar_account=account, now=NOW)
    meeting.refresh_from_db()
    assert second.changed_here == 1 and second.pushed == 0
    assert meeting.title == "Renewal prep (moved)" and meeting.start == new_start
    busy = list(BusyTime.objects.filter(user=csm))
    assert [(block.start, block.end) for block in busy] == [(START + datetime.timedelta(days=3),
                                                             START + datetime.timedelta(days=3, hours=2))]
    from tandem.audit.models import AuditEntry

    assert AuditEntry.objects.filter(object_id=str(meeting.pk), actor=csm, action="change").exists()

    # a change in Tandem goes up; deleting the series in the calendar cancels it in Tandem
    services.meeting_update(actor=am, meeting=meeting, location="Room 4")
    remote.event_by_uid(weekly.ical_uid).delete()
    third = sync.calendar_sync(calendar_account=account, now=NOW)
    weekly.refresh_from_db()
    assert third.cancelled_here == 1 and weekly.status == "cancelled"
    assert str(remote.event_by_uid(meeting.ical_uid).icalendar_component["location"]) == "Room 4"

    # cancelling in the calendar (STATUS:CANCELLED) comes back too
    event = remote.event_by_uid(meeting.ical_uid)
    event.icalendar_component["status"] = icalendar.vText("CANCELLED")
    event.save()
    sync.calendar_sync(calendar_account=account, now=NOW)
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"
    assert "calendar-secret" not in caplog.text


def test_an_occurrence_moved_and_retitled_in_the_calendar_comes_back_and_the_others_stay(radicale, csm):
    from tandem.audit.models import AuditEntry

    account = sync.calendar_account_save(actor=csm, url=radicale.principal_url, username="carla",
                                         password="calendar-secret")
    weekly = plan(csm, title="CSM-AM sync", rrule="FREQ=WEEKLY;COUNT=4")
    sync.calendar_sync(calendar_account=account, now=NOW)
    window = (START - HOUR, START + datetime.timedelta(days=40))
    occurrences = selectors.my_occurrences(actor=csm, start=window[0], end=window[1])
    before = [(item.occurrence.original_start, item.start) for item in occurrences]
    assert len(before) == 4
    second = before[1][0]

    # in the calendar app: move the second occurrence by a day and two hours and rename it (RECURRENCE-ID)
    event = _server_calendar(radicale).event_by_uid(weekly.ical_uid)
    calendar = icalendar.Calendar.from_ical(event.data)
    moved_to = second + datetime.timedelta(days=1, hours=2)
    override = icalendar.Event()
    override.add("uid", weekly.ical_uid)
    override.add("dtstamp", NOW)
    override.add("recurrence-id", second.astimezone(ZoneInfo("Europe/Berlin")))
    override.add("dtstart", moved_to.astimezone(ZoneInfo("Europe/Berlin")))
    override.add("dtend", (moved_to + HOUR).astimezone(ZoneInfo("Europe/Berlin")))
    override.add("summary", "CSM-AM sync with the CFO")
    override.add("sequence", weekly.sequence + 1)
    calendar.add_component(override)
    event.data = calendar.to_ical().decode()
    event.save()

    pulled = sync.calendar_sync(calendar_account=account, now=NOW)
    assert pulled.changed_here == 1 and pulled.pushed == 0, pulled.as_dict()
    after = selectors.my_occurrences(actor=csm, start=window[0], end=window[1])
    assert [(item.occurrence.original_start, item.start) for item in after] == [
        before[0], (second, moved_to), before[2], before[3]]
    assert [item.title for item in after] == ["CSM-AM sync", "CSM-AM sync with the CFO", "CSM-AM sync", "CSM-AM sync"]
    weekly.refresh_from_db()
    assert weekly.title == "CSM-AM sync" and weekly.start == before[0][1]
    assert AuditEntry.objects.filter(object_id=str(weekly.pk), actor=csm, action="change",
                                     changes__has_key="occurrence").exists()
    assert sync.calendar_sync(calendar_account=account, now=NOW).as_dict()["changed_here"] == 0  # no ping-pong

    # Tandem moves another occurrence: it goes up as a second RECURRENCE-ID VEVENT, the calendar's stays
    third = before[2][0]
    services.occurrence_move(actor=csm, meeting=weekly, original_start=third, start=third + HOUR,
                             end=third + 2 * HOUR)
    assert sync.calendar_sync(calendar_account=account, now=NOW).pushed == 1
    remote = icalendar.Calendar.from_ical(_server_calendar(radicale).event_by_uid(weekly.ical_uid).data)
    overrides = {component.decoded("recurrence-id").astimezone(UTC): (component.decoded("dtstart").astimezone(UTC),
                                                                      str(component["summary"]))
                 for component in remote.walk("VEVENT") if "recurrence-id" in component}
    assert overrides == {second: (moved_to, "CSM-AM sync with the CFO"), third: (third + HOUR, "CSM-AM sync")}


def test_a_deleted_meeting_is_deleted_from_the_calendar(radicale, csm):
    account = sync.calendar_account_save(actor=csm, url=radicale.principal_url, username="carla",
                                         password="calendar-secret")
    meeting = plan(csm)
    sync.calendar_sync(calendar_account=account, now=NOW)
    services.meeting_delete(actor=csm, meeting=meeting)
    summary = sync.calendar_sync(calendar_account=account, now=NOW)
    assert summary.deleted == 1 and _server_calendar(radicale).events() == []
    assert not SyncedEvent.objects.exists()


def test_a_server_that_is_down_or_refuses_the_password_marks_the_sync_failed(radicale, csm):
    wrong = sync.calendar_account_save(actor=csm, url=radicale.principal_url, username="carla", password="wrong")
    summary = sync.calendar_sync(calendar_account=wrong, now=NOW)
    wrong.refresh_from_db()
    assert wrong.status == SyncStatus.FAILED and summary.errors and "wrong" not in wrong.last_error
    down = sync.calendar_account_save(actor=csm, url="http://127.0.0.1:9/", username="carla", password="x")
    sync.calendar_sync(calendar_account=down, now=NOW)
    down.refresh_from_db()
    assert down.status == SyncStatus.FAILED and down.last_error


def test_the_password_is_never_shown_again_and_the_api_hides_it(csm):
    sync.calendar_account_save(actor=csm, url="https://dav.example.test/", username="carla", password="pw-123456")
    client = logged_in(csm)
    assert b"pw-123456" not in client.get("/meetings/settings/").content
    body = client.get("/api/v1/calendar-sync").json()
    assert body["configured"] and "password" not in body
    assert CalendarAccount.objects.get().password_encrypted != "pw-123456"
