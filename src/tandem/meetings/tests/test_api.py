"""The meetings API: occurrences in a range, writes, cancel-occurrence, free slots, feed rotation, sync settings;
bad input as problem+json, never a 500."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from tandem.core.testing.fixtures import bearer_for, logged_in
from tandem.meetings import services
from tandem.meetings.models import Meeting

UTC = datetime.UTC
START = datetime.datetime(2030, 3, 4, 9, tzinfo=UTC)
RW = ["meetings:read", "meetings:write"]


def body(start=START, **fields):
    values = {"title": "Sync", "start": start.isoformat(), "end": (start + datetime.timedelta(hours=1)).isoformat(),
              "time_zone": "UTC"}
    values.update(fields)
    return values


def test_create_list_with_occurrences_cancel_one_and_delete(csm, am):
    headers = bearer_for(csm, RW)
    client = Client()
    created = client.post("/api/v1/meetings", body(rrule="FREQ=WEEKLY;COUNT=3", attendees=[am.public_id]),
                          content_type="application/json", **headers)
    assert created.status_code == 201, created.content
    meeting_id = created.json()["id"]
    cancelled = client.post(f"/api/v1/meetings/{meeting_id}/cancel-occurrence",
                            {"occurrence_start": (START + datetime.timedelta(days=7)).isoformat()},
                            content_type="application/json", **headers)
    assert cancelled.status_code == 200 and len(cancelled.json()["exdates"]) == 1
    listed = client.get("/api/v1/meetings?from=2030-03-01T00:00:00Z&to=2030-04-01T00:00:00Z", **headers).json()
    assert [item["start"] for item in listed["items"][0]["occurrences"]] == ["2030-03-04T09:00:00Z",
                                                                             "2030-03-18T09:00:00Z"]
    assert client.get("/api/v1/meetings?from=2031-01-01T00:00:00Z&to=2031-02-01T00:00:00Z",
                      **headers).json()["items"] == []
    assert client.get(f"/api/v1/meetings?attendee={am.public_id}", **headers).json()["items"][0]["id"] == meeting_id
    patched = client.patch(f"/api/v1/meetings/{meeting_id}", {"title": "Renamed"}, content_type="application/json",
                           **headers)
    assert patched.json()["title"] == "Renamed"
    assert client.delete(f"/api/v1/meetings/{meeting_id}", **headers).status_code == 204
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("payload, field", [
    (body(end=(START - datetime.timedelta(hours=1)).isoformat()), "end"),
    (body(rrule="FREQ=MINUTELY"), "rrule"),
    (body(rrule="FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31"), "rrule"),
    (body(time_zone="Europe/Atlantis"), "time_zone"),
    (body(video_url="ftp://example.test/x"), "video_url"),
    ({**body(), "start": "yesterday"}, "start"),
    (body(attendees=["nobody"]), "attendees"),
    (body(account="nope"), "account"),
])
def test_bad_input_is_a_422_problem_naming_the_field(csm, payload, field):
    response = Client().post("/api/v1/meetings", payload, content_type="application/json", **bearer_for(csm, RW))
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]
    assert not Meeting.objects.exists()


def test_list_ranges_are_checked(csm):
    headers = bearer_for(csm, RW)
    for query in ("from=2030-01-01T00:00:00Z", "from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z",
                  "from=2030-01-01T00:00:00&to=2030-01-02T00:00:00",
                  "from=2030-01-01T00:00:00Z&to=2032-01-01T00:00:00Z"):
        response = Client().get(f"/api/v1/meetings?{query}", **headers)
        assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"


def test_a_csm_lists_only_meetings_they_may_see_and_others_are_404(csm, am):
    services.meeting_create(actor=am, title="AM only", start=START, end=START + datetime.timedelta(hours=1))
    shared = services.meeting_create(actor=am, title="Shared", start=START, end=START + datetime.timedelta(hours=1),
                                     attendees=[csm])
    headers = bearer_for(csm, RW)
    assert [item["title"] for item in Client().get("/api/v1/meetings", **headers).json()["items"]] == ["Shared"]
    hidden = Meeting.objects.exclude(pk=shared.pk).get()
    assert Client().get(f"/api/v1/meetings/{hidden.public_id}", **headers).status_code == 404


def test_free_slots_for_two_people_and_bad_queries(csm, am):
    headers = bearer_for(csm, ["meetings:read"])
    response = Client().get(f"/api/v1/free-slots?users=me,{am.public_id}&length=30&days=14&count=3", **headers)
    assert response.status_code == 200, response.content
    assert len(response.json()["items"]) == 3
    for query in ("users=me", f"users=me,{am.public_id}&length=1000", f"users=me,{am.public_id}&days=0",
                  "users=me,unknown"):
        bad = Client().get(f"/api/v1/free-slots?{query}", **headers)
        assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"


def test_feed_rotation_returns_the_url_once_and_needs_the_write_scope(csm):
    assert Client().post("/api/v1/calendar-feed/rotate", **bearer_for(csm, ["meetings:read"])).status_code == 403
    response = Client().post("/api/v1/calendar-feed/rotate", **bearer_for(csm, RW))
    assert response.status_code == 200 and "/meetings/feed/cal_" in response.json()["url"]


def test_calendar_sync_settings_are_validated_and_the_password_never_returned(csm):
    client = Client()
    headers = bearer_for(csm, RW)
    bad = client.put("/api/v1/calendar-sync", {"url": "not a url", "username": ""}, content_type="application/json",
                     **headers)
    assert bad.status_code == 422 and {"url", "username", "password"} <= {e["field"] for e in bad.json()["errors"]}
    good = client.put("/api/v1/calendar-sync", {"url": "https://dav.example.test/", "username": "carla",
                                                "password": "secret-pw"}, content_type="application/json", **headers)
    assert good.status_code == 200 and "secret-pw" not in good.content.decode()
    assert client.post("/api/v1/calendar-sync", **headers).status_code == 202
    assert client.get("/api/v1/calendar-sync", **headers).json()["status"] == "never"


def test_pages_render_for_a_csm(csm, am):
    meeting = services.meeting_create(actor=csm, title="Page check", start=START,
                                      end=START + datetime.timedelta(hours=1), attendees=[am], rrule="FREQ=WEEKLY")
    client = logged_in(csm)
    for url in ("/meetings/", "/meetings/?week=2030-03-04", "/meetings/new/", "/meetings/weekly-sync/",
                "/meetings/free-slots/", "/meetings/settings/", f"/meetings/{meeting.public_id}/",
                f"/meetings/{meeting.public_id}/edit/", "/"):
        assert client.get(url).status_code == 200, url
    assert b"Page check" in client.get("/meetings/?week=2030-03-04").content


def test_the_meeting_form_reports_bad_input_as_form_errors(csm):
    client = logged_in(csm)
    response = client.post("/meetings/new/", {"title": "X", "start": "2030-03-04T10:00", "end": "2030-03-04T09:00",
                                              "time_zone": "Europe/Berlin", "repeat": "custom",
                                              "custom_rrule": "FREQ=SECONDLY", "reminder_minutes": 15})
    assert response.status_code == 422
    assert not Meeting.objects.exists()
    response = client.post("/meetings/new/", {"title": "Weekly", "start": "2030-03-04T10:00",
                                              "end": "2030-03-04T10:30", "time_zone": "Europe/Berlin",
                                              "repeat": "weekly", "reminder_minutes": 15})
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.rrule == "FREQ=WEEKLY;BYDAY=MO" and meeting.start == datetime.datetime(2030, 3, 4, 9, tzinfo=UTC)
