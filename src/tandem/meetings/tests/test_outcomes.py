"""Outcome notes per occurrence of a series: each its own meeting activity on the timeline, kept in step; one-off
meetings keep one set; the meeting page's editors; the API; moving series notes to the first occurrence."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from tandem.audit.models import AuditEntry
from tandem.contacts.models import Contact
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.core.testing.factories import AccountFactory, UserFactory
from tandem.core.testing.fixtures import bearer_for, logged_in
from tandem.meetings import outcomes, services
from tandem.meetings.models import Meeting, MeetingOutcome
from tandem.timeline.models import Activity

UTC = datetime.UTC
HOUR = datetime.timedelta(hours=1)
WEEK = datetime.timedelta(days=7)
START = datetime.datetime(2030, 3, 4, 9, tzinfo=UTC)  # a Monday
RW = ["meetings:read", "meetings:write"]

pytestmark = pytest.mark.django_db


def plan(actor, **fields):
    values = {"title": "Weekly sync", "start": START, "end": START + HOUR, "time_zone": "UTC",
              "rrule": "FREQ=WEEKLY;COUNT=6"}
    values.update(fields)
    return services.meeting_create(actor=actor, **values)


@pytest.fixture
def account(csm):
    return AccountFactory(owner=csm, name="Contoso")


def test_each_occurrence_gets_its_own_meeting_activity_created_once_and_updated(csm, account):
    jane = Contact.objects.create(account=account, last_name="Kim")
    series = plan(csm, account=account, contacts=[jane])
    first = outcomes.occurrence_notes_save(actor=csm, meeting=series, occurrence_start=START, notes="Kick-off *done*")
    second = outcomes.occurrence_notes_save(actor=csm, meeting=series, occurrence_start=START + WEEK,
                                            notes="Week two")
    again = outcomes.occurrence_notes_save(actor=csm, meeting=series, occurrence_start=START,
                                           notes="Kick-off *done*, rollout in May")
    assert Activity.objects.count() == 2
    assert again.activity is not None and first.activity is not None and again.activity.pk == first.activity.pk
    activity = Activity.objects.get(pk=first.activity.pk)
    assert activity.type == "meeting" and activity.source == series and activity.account == account
    assert activity.payload == {"occurrence_start": START.isoformat()}
    assert activity.body == "Kick-off *done*, rollout in May" and "<em>done</em>" in activity.body_html
    assert activity.occurred_at <= timezone.now()  # notes of a future occurrence are dated when written
    assert list(activity.contacts.all()) == [jane]
    other = Activity.objects.get(pk=second.activity.pk)
    assert other.payload == {"occurrence_start": (START + WEEK).isoformat()} and other.body == "Week two"
    assert [(row.occurrence_start, row.notes) for row in MeetingOutcome.objects.order_by("occurrence_start")] == [
        (START, "Kick-off *done*, rollout in May"), (START + WEEK, "Week two")]
    series.refresh_from_db()
    assert series.outcome_notes == ""
    assert AuditEntry.objects.filter(object_id=str(series.pk), action="change").count() == 3


def test_saving_the_same_notes_again_changes_nothing(csm, account):
    series = plan(csm, account=account)
    outcomes.occurrence_notes_save(actor=csm, meeting=series, occurrence_start=START, notes="Same")
    audits = AuditEntry.objects.count()
    outcomes.occurrence_notes_save(actor=csm, meeting=series, occurrence_start=START, notes="  Same ")
    assert AuditEntry.objects.count() == audits and Activity.objects.count() == 1


def test_notes_of_a_moved_occurrence_keep_its_original_start_and_date_the_activity_at_the_new_time(csm, account):
    past = datetime.datetime(2024, 3, 4, 9, tzinfo=UTC)
    series = plan(csm, account=account, start=past, end=past + HOUR)
    moved_to = past + WEEK + datetime.timedelta(days=1, hours=3)
    services.occurrence_move(actor=csm, meeting=series, original_start=past + WEEK, start=moved_to,
                             end=moved_to + HOUR, title="Sync with the CFO")
    saved = outcomes.occurrence_notes_save(actor=csm, meeting=series, occurrence_start=past + WEEK, notes="Budget")
    assert saved.activity is not None
    activity = Activity.objects.get(pk=saved.activity.pk)
    assert activity.occurred_at == moved_to and activity.subject == "Sync with the CFO"
    assert activity.payload == {"occurrence_start": (past + WEEK).isoformat()}


def test_a_one_off_meeting_keeps_one_set_of_notes_as_before(csm, account):
    meeting = plan(csm, account=account, rrule="")
    services.meeting_update(actor=csm, meeting=meeting, outcome_notes="Agreed")
    saved = outcomes.occurrence_notes_save(actor=csm, meeting=meeting, occurrence_start=START, notes="Agreed twice")
    meeting.refresh_from_db()
    assert meeting.outcome_notes == "Agreed twice" and not MeetingOutcome.objects.exists()
    activity = Activity.objects.get()
    assert saved.activity == activity and activity.body == "Agreed twice" and activity.payload == {}
    with pytest.raises(ValidationFailed) as caught:
        outcomes.occurrence_notes_save(actor=csm, meeting=meeting, occurrence_start=START + HOUR, notes="x")
    assert "occurrence" in caught.value.errors


@pytest.mark.parametrize("moment", [START + HOUR, START + 10 * WEEK, datetime.datetime(2030, 3, 4, 9)])
def test_notes_for_a_time_that_is_no_occurrence_are_refused_and_nothing_is_written(csm, account, moment):
    series = plan(csm, account=account)
    with pytest.raises(ValidationFailed) as caught:
        outcomes.occurrence_notes_save(actor=csm, meeting=series, occurrence_start=moment, notes="Lost")
    assert "occurrence" in caught.value.errors
    assert not MeetingOutcome.objects.exists() and not Activity.objects.exists()


def test_a_cancelled_occurrence_takes_no_notes(csm, account):
    series = plan(csm, account=account)
    services.occurrence_cancel(actor=csm, meeting=series, original_start=START + WEEK)
    with pytest.raises(ValidationFailed):
        outcomes.occurrence_notes_save(actor=csm, meeting=series, occurrence_start=START + WEEK, notes="x")
    assert not MeetingOutcome.objects.exists()


def test_someone_who_may_not_change_the_meeting_cannot_write_its_notes(csm, account):
    series = plan(csm, account=account)
    stranger = UserFactory(roles=["csm"])
    with pytest.raises(PermissionDenied):
        outcomes.occurrence_notes_save(actor=stranger, meeting=series, occurrence_start=START, notes="Hijacked")
    assert not MeetingOutcome.objects.exists() and not Activity.objects.exists()


def test_a_series_refuses_series_notes_and_notes_given_when_planning_go_to_the_first_occurrence(csm, account):
    series = plan(csm, account=account, outcome_notes="Prepared")
    row = MeetingOutcome.objects.get()
    assert (row.meeting, row.occurrence_start, row.notes) == (series, START, "Prepared")
    assert Activity.objects.get().payload == {"occurrence_start": START.isoformat()}
    with pytest.raises(ValidationFailed) as caught:
        services.meeting_update(actor=csm, meeting=series, outcome_notes="Series-wide")
    assert "outcome_notes" in caught.value.errors


def test_a_meeting_that_starts_or_stops_repeating_takes_its_notes_along(csm, account):
    meeting = plan(csm, account=account, rrule="", outcome_notes="Notes")
    activity = Activity.objects.get()
    services.meeting_update(actor=csm, meeting=meeting, rrule="FREQ=WEEKLY;COUNT=3")
    meeting.refresh_from_db()
    assert meeting.outcome_notes == "" and meeting.outcome_activity_id is None
    assert MeetingOutcome.objects.get().activity_id == activity.pk
    services.meeting_update(actor=csm, meeting=meeting, rrule="")
    meeting.refresh_from_db()
    assert meeting.outcome_notes == "Notes" and meeting.outcome_activity_id == activity.pk
    assert not MeetingOutcome.objects.exists() and Activity.objects.get().payload == {}


def test_renaming_a_series_renames_its_occurrences_timeline_entries(csm, account):
    series = plan(csm, account=account)
    outcomes.occurrence_notes_save(actor=csm, meeting=series, occurrence_start=START, notes="One")
    services.meeting_update(actor=csm, meeting=series, title="Renamed sync")
    assert Activity.objects.get().subject == "Renamed sync"


def test_existing_series_notes_move_to_the_first_occurrence_and_one_off_notes_stay():
    migration = importlib.import_module("tandem.meetings.migrations.0004_outcome_notes_per_occurrence")
    csm = UserFactory(roles=["csm"])
    account = AccountFactory(owner=csm)
    series = plan(csm, account=account, rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=3")  # starts on a Monday: first is Tue
    single = plan(csm, account=account, rrule="", outcome_notes="One-off notes")
    activity = Activity.objects.create(account=account, type="meeting", subject="Weekly sync", body="Old notes")
    Meeting.objects.filter(pk=series.pk).update(outcome_notes="Old notes", outcome_activity_id=activity.pk)
    migration.forwards(apps, None)
    row = MeetingOutcome.objects.get()
    assert (row.meeting_id, row.occurrence_start, row.notes, row.activity_id) == (
        series.pk, START + datetime.timedelta(days=1), "Old notes", activity.pk)
    activity.refresh_from_db()
    assert activity.payload == {"occurrence_start": (START + datetime.timedelta(days=1)).isoformat()}
    series.refresh_from_db()
    single.refresh_from_db()
    assert series.outcome_notes == "" and single.outcome_notes == "One-off notes"
    migration.backwards(apps, None)
    series.refresh_from_db()
    assert series.outcome_notes == "Old notes" and series.outcome_activity_id == activity.pk


# --- the meeting page ------------------------------------------------------------------------------------------


def _recent_series(csm, account):
    first = timezone.now().replace(minute=0, second=0, microsecond=0) - 3 * WEEK - HOUR
    return services.meeting_create(actor=csm, title="Weekly sync", start=first, end=first + HOUR, time_zone="UTC",
                                   account=account, rrule="FREQ=WEEKLY;COUNT=6"), first


def test_the_meeting_page_has_a_notes_editor_for_each_past_and_todays_occurrence(csm, account):
    series, first = _recent_series(csm, account)
    client = logged_in(csm)
    html = client.get(f"/meetings/{series.public_id}/").content.decode()
    assert html.count('<li id="occurrence-') == 4  # three weeks ago … today; the two to come have none
    today = first + 3 * WEEK
    response = client.post(f"/meetings/{series.public_id}/", {"occurrence": today.isoformat(),
                                                               "outcome_notes": "Went *well*"})
    assert response.status_code == 302 and response["Location"].endswith(
        "#occurrence-" + today.strftime("%Y%m%dT%H%M%SZ"))
    client.post(f"/meetings/{series.public_id}/", {"occurrence": first.isoformat(), "outcome_notes": "First one"})
    assert sorted(Activity.objects.values_list("body", flat=True)) == ["First one", "Went *well*"]
    html = client.get(f"/meetings/{series.public_id}/").content.decode()
    assert "Went *well*" in html and "First one" in html


def test_the_meeting_page_shows_a_refused_occurrence_note_as_a_form_error(csm, account):
    series, first = _recent_series(csm, account)
    response = logged_in(csm).post(f"/meetings/{series.public_id}/", {
        "occurrence": (first + HOUR).isoformat(), "outcome_notes": "Nowhere"})
    assert response.status_code == 422 and "has no occurrence starting at" in response.content.decode()
    assert not MeetingOutcome.objects.exists()


def test_a_one_off_meeting_page_keeps_its_single_notes_form(csm, account):
    meeting = plan(csm, account=account, rrule="")
    client = logged_in(csm)
    assert '<li id="occurrence-' not in client.get(f"/meetings/{meeting.public_id}/").content.decode()
    assert client.post(f"/meetings/{meeting.public_id}/", {"outcome_notes": "Done"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.outcome_notes == "Done"


# --- the API ---------------------------------------------------------------------------------------------------


def test_the_api_puts_notes_on_one_occurrence_and_lists_them_with_the_meeting(csm, account):
    series = plan(csm, account=account)
    client, headers = Client(), bearer_for(csm, RW)
    url = f"/api/v1/meetings/{series.public_id}/occurrences/{(START + WEEK).isoformat()}/notes"
    response = client.put(url, {"notes": "Second week"}, content_type="application/json", **headers)
    assert response.status_code == 200, response.content
    body = response.json()
    activity = Activity.objects.get()
    assert body == {"meeting": series.public_id, "occurrence_start": "2030-03-11T09:00:00Z", "notes": "Second week",
                    "activity": activity.public_id}
    shown = client.get(f"/api/v1/meetings/{series.public_id}", **headers).json()
    assert [(item["occurrence_start"], item["notes"]) for item in shown["occurrence_notes"]] == [
        ("2030-03-11T09:00:00Z", "Second week")]
    zulu = client.put(f"/api/v1/meetings/{series.public_id}/occurrences/2030-03-11T09:00:00Z/notes",
                      {"notes": "Second week, edited"}, content_type="application/json", **headers)
    assert zulu.status_code == 200 and Activity.objects.get().body == "Second week, edited"


def test_the_api_refuses_bad_occurrences_series_notes_and_read_only_tokens(csm, account, outsider):
    series = plan(csm, account=account)
    client = Client()
    base = f"/api/v1/meetings/{series.public_id}"
    for moment in ("2030-03-04T10:00:00Z", "2030-03-04T09:00:00", "not-a-time"):
        response = client.put(f"{base}/occurrences/{moment}/notes", {"notes": "x"}, content_type="application/json",
                              **bearer_for(csm, RW))
        assert response.status_code == 422 and response["Content-Type"].startswith("application/problem+json")
    patched = client.patch(base, {"outcome_notes": "Series-wide"}, content_type="application/json",
                           **bearer_for(csm, RW))
    assert patched.status_code == 422
    assert client.put(f"{base}/occurrences/2030-03-04T09:00:00Z/notes", {"notes": "x"},
                      content_type="application/json", **bearer_for(csm, ["meetings:read"])).status_code == 403
    assert client.put(f"{base}/occurrences/2030-03-04T09:00:00Z/notes", {"notes": "x"},
                      content_type="application/json", **bearer_for(outsider, RW)).status_code == 404
    assert not MeetingOutcome.objects.exists()
