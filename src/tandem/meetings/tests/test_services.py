"""Meeting services: rules, bad input, outcome notes on the timeline, scoping, the weekly sync, reminders."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection

from tandem.audit.models import AuditEntry
from tandem.contacts.models import Contact
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.core.testing.factories import AccountFactory, UserFactory, assign
from tandem.meetings import selectors, services
from tandem.meetings.models import Meeting, ReminderClaim
from tandem.notifications.models import Notification
from tandem.timeline.models import Activity

UTC = datetime.UTC
HOUR = datetime.timedelta(hours=1)
START = datetime.datetime(2030, 3, 4, 9, tzinfo=UTC)  # a Monday


def plan(actor, **fields):
    values = {"title": "Quarterly review", "start": START, "end": START + HOUR, "time_zone": "Europe/Berlin"}
    values.update(fields)
    return services.meeting_create(actor=actor, **values)


def test_a_csm_plans_a_meeting_and_it_is_audited(csm, am):
    meeting = plan(csm, attendees=[am], video_url="https://meet.example.test/abc", agenda="**Goals**")
    assert meeting.organiser == csm and list(meeting.attendees.all()) == [am]
    assert meeting.agenda_html == "<p><strong>Goals</strong></p>"
    assert AuditEntry.objects.filter(object_id=str(meeting.pk), action="create").exists()


@pytest.mark.parametrize("fields, field", [
    ({"end": START - HOUR}, "end"),
    ({"end": START}, "end"),
    ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ({"video_url": "javascript:alert(1)"}, "video_url"),
    ({"video_url": "not a url"}, "video_url"),
    ({"rrule": "FREQ=SECONDLY"}, "rrule"),
    ({"rrule": "FREQ=DAILY;COUNT=99999"}, "rrule"),
    ({"title": "  "}, "title"),
    ({"start": datetime.datetime(2030, 3, 4, 9)}, "start"),
    ({"reminder_minutes": -5}, "reminder_minutes"),
])
def test_bad_input_is_refused_with_the_field_and_nothing_is_written(csm, fields, field):
    with pytest.raises(ValidationFailed) as caught:
        plan(csm, **fields)
    assert field in caught.value.errors
    assert not Meeting.objects.exists()


def test_an_attendee_who_may_not_see_meetings_is_refused(csm, outsider):
    with pytest.raises(ValidationFailed) as caught:
        plan(csm, attendees=[outsider])
    assert "may not see meetings" in caught.value.errors["attendees"][0]


def test_a_viewer_may_not_plan_meetings(viewer):
    with pytest.raises(PermissionDenied):
        plan(viewer)
    assert not Meeting.objects.exists()


def test_a_csm_sees_only_meetings_they_organise_or_attend(csm, am, admin):
    mine = plan(csm)
    invited = plan(am, attendees=[csm])
    other = plan(am)
    visible = set(selectors.meeting_list(actor=csm).values_list("pk", flat=True))
    assert visible == {mine.pk, invited.pk}
    assert other.pk in set(selectors.meeting_list(actor=admin).values_list("pk", flat=True))


def test_an_attendee_can_change_but_a_stranger_cannot(csm, am):
    meeting = plan(am, attendees=[csm])
    services.meeting_update(actor=csm, meeting=meeting, title="Renamed")
    stranger = UserFactory(roles=["csm"])
    with pytest.raises(PermissionDenied):
        services.meeting_update(actor=stranger, meeting=meeting, title="Hijacked")
    meeting.refresh_from_db()
    assert meeting.title == "Renamed" and meeting.sequence == 1


def test_outcome_notes_become_one_meeting_activity_that_later_notes_update(csm):
    account = AccountFactory(owner=csm)
    contact = Contact.objects.create(account=account, last_name="Kim")
    meeting = plan(csm, account=account, contacts=[contact])
    assert not Activity.objects.exists()
    services.meeting_update(actor=csm, meeting=meeting, outcome_notes="Agreed on *rollout*.")
    services.meeting_update(actor=csm, meeting=meeting, outcome_notes="Agreed on *rollout* in May.")
    activity = Activity.objects.get()
    assert activity.type == "meeting" and activity.account == account and activity.source == meeting
    assert activity.body == "Agreed on *rollout* in May." and "<em>rollout</em>" in activity.body_html
    assert list(activity.contacts.all()) == [contact]


def test_cancelling_and_moving_occurrences_of_a_series(csm):
    meeting = plan(csm, rrule="FREQ=WEEKLY;COUNT=4", time_zone="UTC")
    services.occurrence_cancel(actor=csm, meeting=meeting, original_start=START + datetime.timedelta(days=7))
    services.occurrence_move(actor=csm, meeting=meeting, original_start=START + datetime.timedelta(days=14),
                             start=START + datetime.timedelta(days=15), end=START + datetime.timedelta(days=15) + HOUR)
    found = selectors.occurrences_of(actor=csm, start=START, end=START + datetime.timedelta(days=60))
    assert [item.start for item in found] == [START, START + datetime.timedelta(days=15),
                                              START + datetime.timedelta(days=21)]
    with pytest.raises(ValidationFailed):
        services.occurrence_cancel(actor=csm, meeting=meeting, original_start=START + datetime.timedelta(hours=2))


def test_the_weekly_csm_am_sync_is_created_per_key_account_in_one_step(manager, csm, am):
    staffed = AccountFactory(name="Contoso", tier="high_touch")
    assign(staffed, csm, "csm")
    assign(staffed, am, "am")
    unstaffed = AccountFactory(name="Fabrikam", tier="high_touch")
    assign(unstaffed, csm, "csm")
    from tandem.identity.models import Team

    team = Team.objects.create(name="CS", manager=manager)
    team.members.add(csm, am)
    staffed.team = team
    staffed.save()
    unstaffed.team = team
    unstaffed.save()
    result = services.weekly_syncs_create(actor=manager, accounts=[staffed, unstaffed], weekday=2,
                                          local_time=datetime.time(10), duration_minutes=30,
                                          first_date=datetime.date(2030, 3, 4), time_zone="Europe/Berlin")
    meeting = result.created[0]
    assert len(result.created) == 1 and [account for account, _reason in result.skipped] == [unstaffed]
    assert meeting.rrule == "FREQ=WEEKLY;BYDAY=TU" and meeting.account == staffed
    assert set(meeting.attendees.all()) == {csm, am}
    assert meeting.start == datetime.datetime(2030, 3, 5, 9, tzinfo=UTC)  # Tuesday 10:00 CET
    again = services.weekly_syncs_create(actor=manager, accounts=[staffed], weekday=2, local_time=datetime.time(10),
                                         duration_minutes=30, first_date=datetime.date(2030, 3, 4),
                                         time_zone="Europe/Berlin")
    assert again.created == ()


# --- reminders ---------------------------------------------------------------------------------------------------

def test_a_reminder_fires_once_per_person_at_its_time(csm, am):
    meeting = plan(csm, attendees=[am], reminder_minutes=15, rrule="FREQ=DAILY;COUNT=3", time_zone="UTC")
    assert services.reminders_send(now=START - datetime.timedelta(minutes=20)) == 0
    assert services.reminders_send(now=START - datetime.timedelta(minutes=15)) == 1
    assert services.reminders_send(now=START - datetime.timedelta(minutes=14)) == 0
    assert sorted(Notification.objects.values_list("recipient__email", flat=True)) == [
        "adam@example.test", "carla@example.test"]
    assert Notification.objects.filter(kind="meeting_reminder",
                                       event_key=f"meeting:{meeting.pk}:{START.isoformat()}:{am.pk}").exists()
    assert services.reminders_send(now=START + datetime.timedelta(days=1, minutes=-10)) == 1  # the next day's
    assert ReminderClaim.objects.count() == 2


def test_cancelled_meetings_and_occurrences_send_no_reminder(csm):
    meeting = plan(csm, rrule="FREQ=DAILY;COUNT=2", time_zone="UTC")
    services.occurrence_cancel(actor=csm, meeting=meeting, original_start=START)
    assert services.reminders_send(now=START - datetime.timedelta(minutes=15)) == 0
    services.meeting_cancel(actor=csm, meeting=meeting)
    assert services.reminders_send(now=START + datetime.timedelta(days=1, minutes=-15)) == 0
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_reminders_at_once_remind_exactly_once():
    from tandem.core.testing.fixtures import reseed_if_flushed

    reseed_if_flushed()
    organiser = UserFactory(roles=["csm"])
    guests = [UserFactory(roles=["am"]) for _ in range(3)]
    for index in range(5):
        plan(organiser, title=f"M{index}", attendees=guests, time_zone="UTC")
    barrier = threading.Barrier(2)
    counts, errors = [], []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            counts.append(services.reminders_send(now=START - datetime.timedelta(minutes=10)))
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(counts) == 5
    assert ReminderClaim.objects.count() == 5
    assert Notification.objects.count() == 5 * 4
