"""Outcome notes of a series move from the meeting to its first occurrence (a MeetingOutcome row keeping the
same timeline activity, whose payload learns the occurrence's start). One-off meetings keep theirs."""

import datetime
import warnings
import zoneinfo

from django.db import migrations


def _first_occurrence(meeting):
    """The first occurrence of the series (the rule expanded from its start in its zone); the start itself when
    the rule cannot be read."""
    from dateutil import rrule as dateutil_rrule

    try:
        tz = zoneinfo.ZoneInfo(meeting.time_zone)
        dtstart = meeting.start.astimezone(tz)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rule = dateutil_rrule.rrulestr(meeting.rrule, dtstart=dtstart)
            first = rule.after(dtstart, inc=True)
    except (ValueError, TypeError, KeyError, IndexError, zoneinfo.ZoneInfoNotFoundError):
        return meeting.start
    return first.astimezone(datetime.UTC) if first is not None else meeting.start


def forwards(apps, schema_editor):
    Meeting = apps.get_model("meetings", "Meeting")
    MeetingOutcome = apps.get_model("meetings", "MeetingOutcome")
    Activity = apps.get_model("timeline", "Activity")
    for meeting in Meeting.objects.exclude(rrule="").exclude(outcome_notes="").iterator():
        start = _first_occurrence(meeting)
        MeetingOutcome.objects.update_or_create(meeting=meeting, occurrence_start=start, defaults={
            "notes": meeting.outcome_notes, "activity_id": meeting.outcome_activity_id})
        if meeting.outcome_activity_id:
            activity = Activity.objects.filter(pk=meeting.outcome_activity_id).first()
            if activity is not None:
                activity.payload = {**(activity.payload or {}), "occurrence_start": start.isoformat()}
                activity.save(update_fields=["payload"])
        Meeting.objects.filter(pk=meeting.pk).update(outcome_notes="", outcome_activity_id=None)


def backwards(apps, schema_editor):
    """The earliest occurrence's notes of each series go back onto the meeting (the others are dropped with the
    table when 0003 is reversed; their timeline entries stay)."""
    Meeting = apps.get_model("meetings", "Meeting")
    MeetingOutcome = apps.get_model("meetings", "MeetingOutcome")
    seen = set()
    for outcome in MeetingOutcome.objects.exclude(notes="").order_by("meeting_id", "occurrence_start").iterator():
        if outcome.meeting_id in seen:
            continue
        seen.add(outcome.meeting_id)
        Meeting.objects.filter(pk=outcome.meeting_id, outcome_notes="").update(
            outcome_notes=outcome.notes, outcome_activity_id=outcome.activity_id)


class Migration(migrations.Migration):

    dependencies = [
        ("meetings", "0003_occurrence_outcomes"),
        ("timeline", "0002_default_policy"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
