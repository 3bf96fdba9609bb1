"""SLA maths with a controlled clock, no database: business hours across a weekend and a holiday, the clock
paused while pending customer, routing-rule matching and the report statistics."""

from __future__ import annotations

import datetime

from tandem.tickets import logic

UTC = datetime.UTC
BERLIN = "Europe/Berlin"
# Monday to Friday 09:00–17:00 in Berlin; 2025-04-18 (Good Friday) and 2025-04-21 (Easter Monday) are holidays.
OFFICE = logic.Calendar(time_zone=BERLIN, windows=logic.parse_windows([[day, "09:00", "17:00"] for day in range(5)]),
                        holidays=frozenset({datetime.date(2025, 4, 18), datetime.date(2025, 4, 21)}))
PAUSED = ("pending_customer",)


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


def test_business_time_skips_the_night_and_the_weekend():
    # Friday 16:00 Berlin → Monday 10:00 Berlin: one hour on Friday, one on Monday.
    assert logic.business_seconds(OFFICE, at("2025-04-11T16:00+02:00"), at("2025-04-14T10:00+02:00")) == 7200


def test_a_deadline_on_friday_afternoon_rolls_over_the_weekend():
    due = logic.add_business_seconds(OFFICE, at("2025-04-11T16:30+02:00"), 60 * 60)
    assert due == at("2025-04-14T09:30+02:00")


def test_a_deadline_skips_holidays_and_the_weekend_between_them():
    # Thursday 2025-04-17 16:00: one hour that day, then Good Friday, the weekend and Easter Monday are off.
    due = logic.add_business_seconds(OFFICE, at("2025-04-17T16:00+02:00"), 2 * 60 * 60)
    assert due == at("2025-04-22T10:00+02:00")


def test_the_clock_pauses_while_pending_customer():
    intervals = [logic.Interval("new", at("2025-04-14T09:00+02:00"), at("2025-04-14T10:00+02:00")),
                 logic.Interval("pending_customer", at("2025-04-14T10:00+02:00"), at("2025-04-15T10:00+02:00")),
                 logic.Interval("open", at("2025-04-15T10:00+02:00"))]
    timer = logic.sla_timer(OFFICE, intervals, target_minutes=120, now=at("2025-04-15T10:30+02:00"),
                            achieved_at=None, paused_statuses=PAUSED)
    assert (timer.elapsed_minutes, timer.remaining_minutes, timer.paused, timer.breached) == (90, 30, False, False)
    assert timer.due_at == at("2025-04-15T11:00+02:00")


def test_while_paused_there_is_no_deadline_and_the_time_stands_still():
    intervals = [logic.Interval("open", at("2025-04-14T09:00+02:00"), at("2025-04-14T10:00+02:00")),
                 logic.Interval("pending_customer", at("2025-04-14T10:00+02:00"))]
    for now in ("2025-04-14T11:00+02:00", "2025-04-16T15:00+02:00"):
        timer = logic.sla_timer(OFFICE, intervals, target_minutes=120, now=at(now), achieved_at=None,
                                paused_statuses=PAUSED)
        assert (timer.elapsed_minutes, timer.remaining_minutes, timer.paused, timer.due_at) == (60, 60, True, None)


def test_a_breached_target_has_its_past_deadline_and_negative_remaining_time():
    intervals = [logic.Interval("open", at("2025-04-14T09:00+02:00"))]
    timer = logic.sla_timer(OFFICE, intervals, target_minutes=60, now=at("2025-04-14T11:30+02:00"),
                            achieved_at=None, paused_statuses=PAUSED)
    assert timer.breached and timer.remaining_minutes == -90 and timer.due_at == at("2025-04-14T10:00+02:00")


def test_an_achieved_target_is_met_when_inside_the_target():
    intervals = [logic.Interval("new", at("2025-04-11T16:30+02:00"), at("2025-04-14T09:20+02:00")),
                 logic.Interval("open", at("2025-04-14T09:20+02:00"))]
    timer = logic.sla_timer(OFFICE, intervals, target_minutes=60, now=at("2025-04-15T12:00+02:00"),
                            achieved_at=at("2025-04-14T09:20+02:00"), paused_statuses=PAUSED)
    assert timer.elapsed_minutes == 50 and timer.met and timer.due_at is None


def test_business_hours_follow_daylight_saving_time():
    # Berlin switched to summer time on 2025-03-30: 09:00 local is 08:00 UTC before and 07:00 UTC after.
    assert logic.add_business_seconds(OFFICE, at("2025-03-28T07:00+00:00"), 60) == at("2025-03-28T08:01+00:00")
    assert logic.add_business_seconds(OFFICE, at("2025-03-31T06:00+00:00"), 60) == at("2025-03-31T07:01+00:00")


def test_without_windows_the_clock_runs_around_the_clock():
    calendar = logic.Calendar()
    assert logic.add_business_seconds(calendar, at("2025-04-12T23:00+00:00"), 7200) == at("2025-04-13T01:00+00:00")


def test_bad_windows_are_refused():
    for raw in ([[7, "09:00", "17:00"]], [[0, "17:00", "09:00"]], [[0, "9am", "17:00"]],
                [[0, "09:00", "12:00"], [0, "11:00", "13:00"]]):
        try:
            logic.parse_windows(raw)
        except ValueError:
            continue
        raise AssertionError(raw)


def test_the_first_matching_rule_wins_and_empty_conditions_match_anything():
    rules = [logic.RuleSpec(key=1, categories=frozenset({"bug"}), keywords=("crash",)),
             logic.RuleSpec(key=2, channels=frozenset({"email"})),
             logic.RuleSpec(key=3)]
    facts = logic.TicketFacts(channel="email", category="bug", account_tier="", subject="App CRASHES", description="")
    assert logic.first_matching_rule(rules, facts).key == 1
    assert logic.first_matching_rule(rules, logic.TicketFacts("email", "bug", "", "slow", "")).key == 2
    assert logic.first_matching_rule(rules, logic.TicketFacts("phone", "billing", "", "x", "")).key == 3


def test_references_are_found_in_subjects_and_message_ids():
    assert logic.reference_in_subject("Re: Login broken [#T-10042]") == 10042
    assert logic.reference_in_subject("Login broken") is None
    message_id = logic.message_id_for(mail_token="abcDEF123456", message_public_id="xyz", domain="example.test")
    assert logic.token_in_references(f"<other@x> {message_id}") == "abcDEF123456"
    assert logic.subject_with_reference("Login broken", "T-10042") == "Login broken [#T-10042]"


def test_percentiles_use_the_nearest_rank():
    values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert logic.percentile(values, 0.5) == 50 and logic.percentile(values, 0.9) == 90
    assert logic.percentile([], 0.5) is None and logic.attainment(3, 4) == 0.75
