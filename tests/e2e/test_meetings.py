"""A CSM finds a free slot with an AM in another time zone in Chromium and books it with one click."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from tandem.meetings.models import Meeting, WorkingHours
from tests.e2e.test_login import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_csm_finds_a_free_slot_with_an_am_and_books_it(page, live_server, csm, am, password, shot):
    csm.time_zone = "Europe/Berlin"
    csm.save()
    am.time_zone = "Asia/Seoul"
    am.save()
    # Seoul 12:00–20:00 is 03:00–11:00 UTC: it overlaps Berlin's 09:00–17:00 in summer and in winter
    WorkingHours.objects.create(user=am, days=[1, 2, 3, 4, 5], day_start=datetime.time(12), day_end=datetime.time(20))
    login(page, live_server, csm.email, password)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/meetings/free-slots/")
    form = page.locator("#slot-search")
    form.locator("select[name=colleagues]").select_option(am.public_id)
    form.locator("select[name=length]").select_option("30")
    form.locator("input[name=days]").fill("14")
    form.locator("input[name=title]").fill("CSM–AM sync")
    form.locator("button[type=submit]").click()
    slots = page.locator(".slot-list li")
    slots.first.wait_for()
    assert slots.count() >= 1
    shot(page, "meetings-free-slots")
    slots.first.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/meetings/*/")
    assert "Meeting booked" in page.inner_text(".messages")
    meeting = Meeting.objects.get()
    assert meeting.title == "CSM–AM sync" and meeting.organiser == csm and list(meeting.attendees.all()) == [am]
    assert "Adam AM" in page.inner_text("#meeting-attendees")
    assert 12 <= meeting.start.astimezone(zoneinfo.ZoneInfo("Asia/Seoul")).hour < 20
    assert 9 <= meeting.start.astimezone(zoneinfo.ZoneInfo("Europe/Berlin")).hour < 17
