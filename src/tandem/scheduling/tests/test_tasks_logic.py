"""Pure task rules: due instants in a time zone, overdue, reminders, RRULE subset and next occurrences."""

from __future__ import annotations

import datetime

import pytest

from tandem.scheduling.tasks.logic import (
    RuleError,
    day_window,
    due_from_local,
    is_overdue,
    next_occurrence,
    normalise_rule,
    remind_at,
)

UTC = datetime.UTC


def test_a_due_time_is_read_in_the_persons_time_zone_and_stored_in_utc():
    due = due_from_local(date=datetime.date(2025, 3, 24), time=datetime.time(9, 0), time_zone="Asia/Seoul")
    assert due.at == datetime.datetime(2025, 3, 24, 0, 0, tzinfo=UTC)
    assert not due.all_day and due.date is None


def test_a_task_due_on_a_day_is_overdue_only_when_that_day_has_ended_locally():
    due = due_from_local(date=datetime.date(2025, 3, 24), time=None, time_zone="Europe/Berlin")
    assert due.at == datetime.datetime(2025, 3, 23, 23, 0, tzinfo=UTC)
    late_evening = datetime.datetime(2025, 3, 24, 22, 30, tzinfo=UTC)  # 23:30 in Berlin
    assert not is_overdue(due_at=due.at, all_day=True, now=late_evening)
    assert is_overdue(due_at=due.at, all_day=True, now=datetime.datetime(2025, 3, 24, 23, 0, tzinfo=UTC))


def test_a_timed_task_is_overdue_from_its_due_instant():
    due = datetime.datetime(2025, 3, 24, 8, 0, tzinfo=UTC)
    assert not is_overdue(due_at=due, all_day=False, now=due - datetime.timedelta(seconds=1))
    assert is_overdue(due_at=due, all_day=False, now=due)
    assert not is_overdue(due_at=None, all_day=False, now=due)


def test_the_reminder_time_is_the_due_minus_the_offset():
    due = datetime.datetime(2025, 3, 24, 8, 0, tzinfo=UTC)
    assert remind_at(due_at=due, reminder_minutes=60) == datetime.datetime(2025, 3, 24, 7, 0, tzinfo=UTC)
    assert remind_at(due_at=due, reminder_minutes=None) is None
    assert remind_at(due_at=None, reminder_minutes=10) is None


def test_today_and_this_week_are_the_persons_local_day_and_week():
    now = datetime.datetime(2025, 3, 26, 20, 0, tzinfo=UTC)  # Thursday 05:00 in Seoul
    window = day_window(now=now, time_zone="Asia/Seoul")
    assert window.today_start == datetime.datetime(2025, 3, 26, 15, 0, tzinfo=UTC)
    assert window.today_end == datetime.datetime(2025, 3, 27, 15, 0, tzinfo=UTC)
    assert window.week_end == datetime.datetime(2025, 3, 30, 15, 0, tzinfo=UTC)  # Monday 00:00 Seoul


@pytest.mark.parametrize(("text", "canonical"), [
    ("RRULE:freq=weekly;byday=MO", "FREQ=WEEKLY;BYDAY=MO"),
    ("COUNT=3;FREQ=DAILY", "FREQ=DAILY;COUNT=3"),
    ("  ", ""),
    ("FREQ=MONTHLY;UNTIL=20261231T000000Z", "FREQ=MONTHLY;UNTIL=20261231T000000Z"),
])
def test_rules_are_normalised(text, canonical):
    assert normalise_rule(text) == canonical


@pytest.mark.parametrize("text", [
    "FREQ=HOURLY", "FREQ=SECONDLY", "FREQ=DAILY;INTERVAL=0", "FREQ=DAILY;COUNT=100000", "FREQ=WEEKLY;BYDAY=XX",
    "nonsense", "FREQ=DAILY;BYSETPOS=1", "FREQ=DAILY;COUNT=2;UNTIL=20260101", "FREQ=DAILY;FREQ=WEEKLY",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=DAILY;" + "BYMONTH=1," * 80,
])
def test_rules_outside_the_subset_or_absurd_are_refused(text):
    with pytest.raises(RuleError):
        normalise_rule(text)


def test_a_weekly_task_keeps_its_local_time_across_daylight_saving():
    due = due_from_local(date=datetime.date(2025, 3, 24), time=datetime.time(9, 0), time_zone="Europe/Berlin")
    following = next_occurrence(rule="FREQ=WEEKLY", due=due, time_zone="Europe/Berlin")
    assert following is not None
    assert following.due.at == datetime.datetime(2025, 3, 31, 7, 0, tzinfo=UTC)  # 09:00 CEST
    assert following.rule == "FREQ=WEEKLY"


def test_a_counted_series_carries_the_rest_of_its_count_and_ends():
    due = due_from_local(date=datetime.date(2025, 1, 31), time=None, time_zone="UTC")
    second = next_occurrence(rule="FREQ=MONTHLY;COUNT=2", due=due, time_zone="UTC")
    assert second is not None and second.due.date == datetime.date(2025, 3, 31)  # no 31 February
    assert second.rule == "FREQ=MONTHLY;COUNT=1"
    assert next_occurrence(rule=second.rule, due=second.due, time_zone="UTC") is None


def test_a_series_past_its_until_ends():
    due = due_from_local(date=datetime.date(2025, 3, 24), time=None, time_zone="UTC")
    assert next_occurrence(rule="FREQ=DAILY;UNTIL=20250324", due=due, time_zone="UTC") is None
    assert next_occurrence(rule="FREQ=YEARLY;INTERVAL=366", due=due, time_zone="UTC") is None  # beyond 5 years
