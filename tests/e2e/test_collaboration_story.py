"""Issue 4's "Done when" as one story in Chromium: a CSM logs a call on an account and @mentions the AM in a
comment; the AM, signed in in a second browser, sees the bell rise and opens the comment; the CSM books a weekly
sync with the AM through the free-slot finder; the series is in the CSM's iCalendar feed (parsed by `icalendar` and
expanded by `recurring_ical_events`) and, after a sync, in a real Radicale calendar; a rename made in Radicale
comes back into Tandem and shows on the meeting page; the reminder job run twice reminds exactly once."""

from __future__ import annotations

import datetime
import urllib.request
from zoneinfo import ZoneInfo

import caldav
import icalendar
import pytest
import recurring_ical_events
from playwright.sync_api import expect

from tandem.collaboration.models import Comment
from tandem.core.testing.factories import AccountFactory, assign
from tandem.meetings import services as meeting_services
from tandem.meetings import sync
from tandem.meetings.choices import SyncStatus
from tandem.meetings.models import Meeting, WorkingHours
from tandem.meetings.tests.conftest import radicale  # noqa: F401 - the real CalDAV server fixture
from tandem.notifications.models import Notification
from tandem.timeline.models import Activity
from tests.e2e.test_login import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BERLIN = ZoneInfo("Europe/Berlin")
WEEK = datetime.timedelta(days=7)


def signed_in(page, live_server, user, password) -> None:
    login(page, live_server, user.email, password)
    page.wait_for_url(f"{live_server.url}/")


def test_csm_and_am_collaborate_from_a_call_to_a_synced_weekly_meeting_and_its_reminder(
        page, browser, live_server, csm, am, password, settings, radicale, shot):  # noqa: F811
    settings.NOTIFY_POLL_SECONDS = 1
    csm.time_zone = "Europe/Berlin"
    csm.save()
    am.time_zone = "Asia/Seoul"
    am.save()
    # Seoul 12:00–20:00 is 03:00–11:00 UTC: it overlaps Berlin's 09:00–17:00 all year
    WorkingHours.objects.create(user=am, days=[1, 2, 3, 4, 5], day_start=datetime.time(12), day_end=datetime.time(20))
    account = AccountFactory(name="Contoso", owner=am)
    assign(account, csm, "csm")

    # 1. the CSM logs a call on the account ---------------------------------------------------------------
    signed_in(page, live_server, csm, password)
    page.goto(f"{live_server.url}/accounts/{account.public_id}/")
    form = page.locator("#activity-log-form")
    if not form.is_visible():  # the log form starts open on an account without activities
        page.click("#account-timeline summary")
    expect(form).to_be_visible()
    form.locator("select[name=type]").select_option("call")
    form.locator("select[name=direction]").select_option("outbound")
    form.locator("input[name=subject]").fill("Renewal call with Contoso")
    form.locator("textarea[name=body]").fill("They want **20 more seats**; the AM should quote.")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/accounts/{account.public_id}/#account-timeline")
    expect(page.locator(".messages")).to_contain_text("Logged.")
    first = page.locator("#timeline-feed > li.activity").first
    expect(first).to_contain_text("Renewal call with Contoso")
    expect(first).to_contain_text("Outbound")
    call = Activity.objects.get(type="call")
    assert call.created_by == csm and call.account_id == account.pk
    shot(page, "story-1-call-logged")

    # 2. the AM is signed in elsewhere, bell at zero ------------------------------------------------------
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-US")
    try:
        colleague = context.new_page()
        signed_in(colleague, live_server, am, password)
        badge = colleague.locator("#notification-badge")
        expect(badge).to_have_attribute("data-count", "0")

        # 3. the CSM @mentions the AM through the autocomplete --------------------------------------------
        box = page.locator(f"#comments-account-{account.public_id}-body")
        box.click()
        box.press_sequentially("Could you quote the 20 seats, @Ad", delay=20)
        page.locator(".mention-menu li", has_text="Adam AM").wait_for()
        shot(page, "story-2-mention-autocomplete")
        box.press("Enter")
        assert box.input_value() == f"Could you quote the 20 seats, @[Adam AM]({am.public_id}) "
        box.press_sequentially("this week?")
        page.click("button:has-text('Post comment')")
        page.locator(".comment-body strong", has_text="@Adam AM").wait_for()
        comment = Comment.objects.get()
        assert list(comment.mentions.values_list("user__email", flat=True)) == [am.email]

        # 4. the AM's bell rises without a reload; the inbox opens the exact comment ----------------------
        expect(badge).to_have_attribute("data-count", "1", timeout=10_000)
        shot(colleague, "story-3-am-bell")
        colleague.get_by_role("link", name="Notifications").click()
        item = colleague.locator(".inbox-item.is-unread")
        expect(item).to_have_count(1)
        expect(item).to_contain_text("Carla CSM mentioned you on Contoso")
        item.get_by_role("link").click()
        colleague.wait_for_url(f"**/accounts/{account.public_id}/#comment-{comment.public_id}")
        expect(colleague.locator(f"#comment-{comment.public_id}")).to_be_visible()
        expect(colleague.locator(f"#comment-{comment.public_id}")).to_contain_text("this week?")
        expect(colleague.locator("#notification-badge")).to_have_attribute("data-count", "0")
        assert Notification.objects.get(recipient=am, kind="mention").read_at is not None
        shot(colleague, "story-4-am-opened-comment")
    finally:
        context.close()

    # 5. the CSM books a sync with the AM through the free-slot finder, then makes it weekly --------------
    page.goto(f"{live_server.url}/meetings/free-slots/")
    search = page.locator("#slot-search")
    search.locator("select[name=colleagues]").select_option(am.public_id)
    search.locator("select[name=length]").select_option("30")
    search.locator("input[name=days]").fill("14")
    search.locator("input[name=title]").fill("CSM–AM sync")
    search.locator("button[type=submit]").click()
    slots = page.locator(".slot-list li")
    slots.first.wait_for()
    shot(page, "story-5-free-slots")
    slots.first.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/meetings/*/")
    expect(page.locator(".messages")).to_contain_text("Meeting booked")
    meeting = Meeting.objects.get()
    assert meeting.organiser == csm and list(meeting.attendees.all()) == [am] and not meeting.rrule
    # the booking page books a one-off meeting; the meeting form makes it weekly
    page.get_by_role("link", name="Edit").click()
    page.wait_for_url(f"{live_server.url}/meetings/{meeting.public_id}/edit/")
    page.locator("#meeting-form select[name=repeat]").select_option("weekly")
    page.locator("#meeting-form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/meetings/{meeting.public_id}/")
    expect(page.locator(".messages")).to_contain_text("Meeting saved.")
    meeting.refresh_from_db()
    assert meeting.rrule.startswith("FREQ=WEEKLY"), meeting.rrule
    expect(page.locator("#meeting-occurrences-heading")).to_be_visible()
    assert page.locator("#meeting-occurrences-heading + ul > li").count() >= 3
    first_start = meeting.start
    local_first = first_start.astimezone(BERLIN)
    assert meeting.time_zone == "Europe/Berlin" and 9 <= local_first.hour < 17
    assert 12 <= first_start.astimezone(ZoneInfo("Asia/Seoul")).hour < 20
    shot(page, "story-6-weekly-meeting")

    # 6. the series is in the CSM's iCalendar feed, fetched from the live server --------------------------
    feed_path = meeting_services.feed_token_rotate(actor=csm).url.removeprefix(settings.BASE_URL)
    with urllib.request.urlopen(live_server.url + feed_path, timeout=10) as response:  # noqa: S310 - live server
        assert response.status == 200 and response.headers["Content-Type"].startswith("text/calendar")
        calendar = icalendar.Calendar.from_ical(response.read())
    assert "Europe/Berlin" in {str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")}
    master = next(event for event in calendar.walk("VEVENT") if str(event["summary"]) == "CSM–AM sync")
    assert master["dtstart"].params["TZID"] == "Europe/Berlin" and "rrule" in master
    window_end = first_start + 5 * WEEK - datetime.timedelta(minutes=1)
    occurrences = sorted(occurrence.decoded("dtstart") for occurrence
                         in recurring_ical_events.of(calendar).between(first_start, window_end)
                         if str(occurrence["summary"]) == "CSM–AM sync")
    assert len(occurrences) == 5
    assert occurrences[0] == first_start
    for earlier, later in zip(occurrences, occurrences[1:], strict=False):
        # seven days apart on Berlin's wall clock (across a DST change the UTC gap is 7 days ± 1 hour)
        wall = [moment.astimezone(BERLIN).replace(tzinfo=None) for moment in (earlier, later)]
        assert wall[1] - wall[0] == WEEK
        assert wall[1].time() == local_first.replace(tzinfo=None).time()
    assert str(occurrences[0].tzinfo) == "Europe/Berlin"

    # 7. after a sync the series is in the CSM's Radicale calendar ----------------------------------------
    calendar_account = sync.calendar_account_save(actor=csm, url=radicale.principal_url, username=radicale.username,
                                                  password=radicale.password)
    pushed = sync.calendar_sync(calendar_account=calendar_account)
    calendar_account.refresh_from_db()
    assert calendar_account.status == SyncStatus.OK, calendar_account.last_error
    assert pushed.pushed == 1, pushed.as_dict()
    client = caldav.DAVClient(url=radicale.principal_url, username=radicale.username, password=radicale.password,
                              require_tls=False)
    remote_calendar = client.principal().calendars()[0]
    remote = remote_calendar.event_by_uid(meeting.ical_uid)
    component = remote.icalendar_component
    assert str(component["summary"]) == "CSM–AM sync" and "rrule" in component
    assert component.decoded("dtstart") == first_start

    # 8. someone renames the series in their calendar app; the next sync brings it back -------------------
    component["summary"] = icalendar.vText("CSM–AM sync: renewal")
    component["sequence"] = int(component.get("sequence", 0)) + 1
    remote.save()
    pulled = sync.calendar_sync(calendar_account=calendar_account)
    assert pulled.changed_here == 1 and pulled.pushed == 0, pulled.as_dict()
    meeting.refresh_from_db()
    assert meeting.title == "CSM–AM sync: renewal" and meeting.rrule.startswith("FREQ=WEEKLY")
    assert meeting.start == first_start
    page.reload()
    expect(page.locator("h1")).to_contain_text("CSM–AM sync: renewal")
    shot(page, "story-7-renamed-in-radicale")
    assert sync.calendar_sync(calendar_account=calendar_account).changed_here == 0  # no ping-pong

    # 9. the reminder job, run twice at the reminder time, reminds each person exactly once ---------------
    fire_at = first_start - datetime.timedelta(minutes=meeting.reminder_minutes)
    assert meeting_services.reminders_send(now=fire_at) == 1
    assert meeting_services.reminders_send(now=fire_at) == 0
    reminders = Notification.objects.filter(kind="meeting_reminder")
    assert sorted(reminders.values_list("recipient__email", flat=True)) == sorted([csm.email, am.email])
    page.goto(f"{live_server.url}/notifications/")
    expect(page.locator(".inbox-item", has_text="CSM–AM sync: renewal")).to_have_count(1)
    shot(page, "story-8-reminder-in-inbox")
