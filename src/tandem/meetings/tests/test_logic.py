"""Pure logic: recurrence rules and their exceptions, the free-slot finder, secrets. No database."""

from __future__ import annotations

import datetime

import pytest

from tandem.meetings.logic import (
    Availability,
    Override,
    RuleError,
    Series,
    check_rule,
    decrypt_password,
    encrypt_password,
    expand,
    feed_secret_hash,
    free_slots,
    is_occurrence,
    new_feed_secret,
    simple_rule,
)

UTC = datetime.UTC
HOUR = datetime.timedelta(hours=1)


def at(*parts: int) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=UTC)


# --- recurrence ----------------------------------------------------------------------------------------------

def test_a_weekly_berlin_meeting_stays_at_ten_local_time_across_the_spring_dst_change():
    start = at(2025, 3, 24, 9)  # Monday 10:00 CET
    series = Series(start=start, end=start + HOUR, time_zone="Europe/Berlin", rrule="FREQ=WEEKLY;BYDAY=MO")
    found = expand(series, window_start=start, window_end=at(2025, 4, 15))
    assert [item.start for item in found] == [at(2025, 3, 24, 9), at(2025, 3, 31, 8), at(2025, 4, 7, 8),
                                              at(2025, 4, 14, 8)]


def test_cancelled_occurrences_are_left_out_and_moved_ones_appear_at_their_new_time():
    start = at(2025, 1, 6, 9)
    moved = Override(original_start=at(2025, 1, 20, 9), start=at(2025, 1, 21, 14), end=at(2025, 1, 21, 15))
    series = Series(start=start, end=start + HOUR, time_zone="UTC", rrule="FREQ=WEEKLY;COUNT=4",
                    exdates=frozenset({at(2025, 1, 13, 9)}), overrides=(moved,))
    found = expand(series, window_start=at(2025, 1, 1), window_end=at(2025, 2, 28))
    assert [(item.start, item.moved) for item in found] == [(at(2025, 1, 6, 9), False), (at(2025, 1, 21, 14), True),
                                                            (at(2025, 1, 27, 9), False)]
    assert found[1].original_start == at(2025, 1, 20, 9)


def test_a_moved_occurrence_is_found_in_the_window_it_moved_into():
    start = at(2025, 1, 6, 9)
    moved = Override(original_start=at(2025, 1, 6, 9), start=at(2025, 3, 3, 9), end=at(2025, 3, 3, 10))
    series = Series(start=start, end=start + HOUR, rrule="FREQ=MONTHLY;COUNT=2", overrides=(moved,))
    assert [item.start for item in expand(series, window_start=at(2025, 3, 1), window_end=at(2025, 3, 5))] == [
        at(2025, 3, 3, 9)]


def test_a_single_meeting_expands_to_itself_when_it_overlaps_the_window():
    series = Series(start=at(2025, 5, 1, 10), end=at(2025, 5, 1, 11))
    assert len(expand(series, window_start=at(2025, 5, 1, 10, 30), window_end=at(2025, 5, 2))) == 1
    assert expand(series, window_start=at(2025, 5, 1, 11), window_end=at(2025, 5, 2)) == []


def test_a_never_ending_rule_is_expanded_only_within_the_window_and_capped():
    start = at(2020, 1, 1, 9)
    series = Series(start=start, end=start + HOUR, rrule="FREQ=DAILY")
    found = expand(series, window_start=at(2030, 1, 1), window_end=at(2030, 1, 8))
    assert len(found) == 7 and found[0].start == at(2030, 1, 1, 9)
    assert len(expand(series, window_start=at(2020, 1, 1), window_end=at(2030, 1, 1), limit=50)) == 50


def test_check_rule_normalises_and_computes_the_series_end():
    start = at(2025, 1, 6, 9)
    facts = check_rule(rrule="rrule:freq=weekly; count=3", start=start, end=start + HOUR, time_zone="UTC")
    assert facts.rrule == "FREQ=WEEKLY;COUNT=3"
    assert facts.series_end == at(2025, 1, 20, 10)
    assert check_rule(rrule="FREQ=DAILY", start=start, end=start + HOUR, time_zone="UTC").series_end is None


@pytest.mark.parametrize("rule, reason", [
    ("FREQ=SECONDLY", "at most daily"),
    ("FREQ=HOURLY;COUNT=5", "at most daily"),
    ("FREQ=DAILY;COUNT=100000", "COUNT must be between"),
    ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "no occurrence"),
    ("FREQ=WEEKLY;BYDAY=XX", "Not a valid"),
    ("BYDAY=MO", "needs a FREQ"),
    ("FREQ=WEEKLY;DTSTART=20250101T000000Z", "DTSTART"),
    ("FREQ=WEEKLY;COUNT=2;UNTIL=20250101", "either COUNT or UNTIL"),
    ("garbage", "Not a recurrence rule part"),
    ("", "empty"),
])
def test_absurd_or_broken_rules_are_refused_with_a_reason(rule, reason):
    start = at(2025, 1, 6, 9)
    with pytest.raises(RuleError, match=reason):
        check_rule(rrule=rule, start=start, end=start + HOUR, time_zone="UTC")


def test_an_unknown_time_zone_is_refused():
    start = at(2025, 1, 6, 9)
    with pytest.raises(RuleError, match="Unknown time zone"):
        check_rule(rrule="FREQ=DAILY", start=start, end=start + HOUR, time_zone="Mars/Olympus")


def test_is_occurrence_knows_the_series_starts():
    start = at(2025, 1, 6, 9)
    series = Series(start=start, end=start + HOUR, rrule="FREQ=WEEKLY")
    assert is_occurrence(series, at(2025, 1, 13, 9))
    assert not is_occurrence(series, at(2025, 1, 13, 10))


def test_simple_rules_use_the_local_weekday_and_an_until_at_the_end_of_the_local_day():
    start = at(2025, 1, 5, 23, 30)  # Monday 08:30 in Seoul
    assert simple_rule("weekly", start, "Asia/Seoul") == "FREQ=WEEKLY;BYDAY=MO"
    assert simple_rule("monthly", start, "Asia/Seoul") == "FREQ=MONTHLY;BYMONTHDAY=6"
    assert simple_rule("daily", start, "UTC", until=datetime.date(2025, 2, 1)) == "FREQ=DAILY;UNTIL=20250201T235959Z"
    assert simple_rule("none", start, "UTC") == ""


# --- free slots ----------------------------------------------------------------------------------------------

def test_two_people_in_the_same_zone_get_the_first_common_free_slots_around_their_meetings():
    alice = Availability("alice", "UTC", busy=((at(2025, 6, 2, 9), at(2025, 6, 2, 10)),))
    bob = Availability("bob", "UTC", busy=((at(2025, 6, 2, 10, 30), at(2025, 6, 2, 12)),))
    slots = free_slots([alice, bob], length=datetime.timedelta(minutes=30), start=at(2025, 6, 2, 8), days=1,
                       count=3)
    assert [slot.start for slot in slots] == [at(2025, 6, 2, 10), at(2025, 6, 2, 12), at(2025, 6, 2, 12, 30)]


def test_berlin_and_seoul_only_overlap_in_the_berlin_morning():
    berlin = Availability("carla", "Europe/Berlin")  # 09–17 CEST = 07–15 UTC in June
    seoul = Availability("minji", "Asia/Seoul")  # 09–17 KST = 00–08 UTC
    slots = free_slots([berlin, seoul], length=HOUR, start=at(2025, 6, 2, 0), days=1, count=5)
    assert [(slot.start, slot.end) for slot in slots] == [(at(2025, 6, 2, 7), at(2025, 6, 2, 8))]


def test_working_days_are_those_of_each_persons_own_zone():
    berlin = Availability("carla", "Europe/Berlin", day_start=datetime.time(8), day_end=datetime.time(10))
    seoul = Availability("minji", "Asia/Seoul", day_start=datetime.time(14), day_end=datetime.time(18))
    # Friday 08:00 Berlin is Friday 15:00 Seoul; Monday 08:00 Berlin is Monday 15:00 Seoul — never the weekend
    slots = free_slots([berlin, seoul], length=HOUR, start=at(2025, 6, 6, 0), days=4, count=10)
    assert {slot.start.astimezone(datetime.timezone(datetime.timedelta(hours=2))).weekday() for slot in slots} == {
        4, 0}


def test_slots_follow_the_wall_clock_across_the_autumn_dst_change():
    person = Availability("carla", "Europe/Berlin", days=frozenset({7, 1}), day_start=datetime.time(9),
                          day_end=datetime.time(10))
    slots = free_slots([person, Availability("other", "Europe/Berlin", days=frozenset({7, 1}),
                                             day_start=datetime.time(9), day_end=datetime.time(10))],
                       length=HOUR, start=at(2025, 10, 25, 0), days=3, count=5)
    assert [slot.start for slot in slots] == [at(2025, 10, 26, 8), at(2025, 10, 27, 8)]  # 09:00 CET after the change


def test_a_working_day_starting_in_the_spring_dst_gap_starts_when_the_clock_jumps():
    night = dict(days=frozenset({7}), day_start=datetime.time(2, 30), day_end=datetime.time(4))
    people = [Availability("a", "Europe/Berlin", **night), Availability("b", "Europe/Berlin", **night)]
    slots = free_slots(people, length=datetime.timedelta(minutes=30), start=at(2025, 3, 29), days=2, count=5)
    assert [slot.start for slot in slots] == [at(2025, 3, 30, 1), at(2025, 3, 30, 1, 30)]  # 03:00 and 03:30 CEST


def test_no_slot_when_someone_is_busy_all_day():
    busy = Availability("a", "UTC", busy=((at(2025, 6, 2), at(2025, 6, 3)),))
    assert free_slots([busy, Availability("b", "UTC")], length=HOUR, start=at(2025, 6, 2), days=1, count=3) == []


# --- secrets -------------------------------------------------------------------------------------------------

def test_passwords_round_trip_and_a_changed_key_reads_as_no_password():
    ciphertext = encrypt_password("s3cret", secret_key="one")
    assert "s3cret" not in ciphertext
    assert decrypt_password(ciphertext, secret_key="one") == "s3cret"
    assert decrypt_password(ciphertext, secret_key="two") == ""


def test_feed_secrets_are_random_and_hashed():
    first, second = new_feed_secret(), new_feed_secret()
    assert first != second and first.startswith("cal_")
    assert len(feed_secret_hash(first)) == 64 and feed_secret_hash(first) != first
