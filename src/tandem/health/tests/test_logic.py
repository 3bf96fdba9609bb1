"""Health scoring maths, without a database."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.health import logic
from tandem.health.logic import AccountInputs, ComponentConfig, ScorecardConfig


def default_config(**changes) -> ScorecardConfig:
    components = tuple(ComponentConfig(kind, weight, bad, good) for kind, (weight, bad, good) in logic.DEFAULTS.items())
    return ScorecardConfig(components=changes.pop("components", components), **changes)


HEALTHY = AccountInputs(events=900, events_previous=800, active_days=25, features=9, peak_users=40, seats=50,
                        tickets=1, tickets_weighted=1, email_sent=100, email_engaged=50, days_to_renewal=200)
IDLE = AccountInputs(events=0, events_previous=400, active_days=0, features=0, peak_users=0, seats=50, tickets=6,
                     tickets_weighted=20, email_sent=100, email_engaged=0, email_unsubscribed=3, days_to_renewal=10)


def test_shares_are_whole_points_adding_up_to_exactly_100():
    assert logic.allocate([1, 1, 1]) == [34, 33, 33]
    assert sum(logic.allocate([25, 15, 10, 15, 15, 5, 10])) == 100
    assert logic.allocate([0, 0]) == [0, 0]


def test_a_healthy_account_is_green_and_an_idle_one_red():
    healthy = logic.score_account(default_config(), HEALTHY)
    idle = logic.score_account(default_config(), IDLE)
    assert healthy.color == "green" and healthy.score >= 90
    assert idle.color == "red" and idle.score < 20


def test_the_surveys_component_is_skipped_and_its_weight_shared_among_the_others():
    result = logic.score_account(default_config(), HEALTHY)
    surveys = next(c for c in result.components if c.kind == logic.SURVEYS)
    assert surveys.skipped == "no_surveys" and surveys.max_points == 0 and surveys.points == 0
    assert sum(c.max_points for c in result.components) == 100


def test_a_component_without_data_is_skipped_and_the_rest_still_share_100_points():
    no_subscription = AccountInputs(events=100, events_previous=100, active_days=20, features=8)
    result = logic.score_account(default_config(), no_subscription)
    skipped = {c.kind for c in result.components if c.skipped}
    assert skipped == {logic.SEATS, logic.RENEWAL, logic.MARKETING, logic.SURVEYS}
    assert sum(c.max_points for c in result.components) == 100
    assert result.score == 100  # everything it can be judged on is perfect


def test_thresholds_work_either_way_round():
    assert logic.fraction(6, 12, 0) == 0.5  # support load: fewer tickets is better
    assert logic.fraction(20, 12, 0) == 0.0
    assert logic.fraction(11, 2, 20) == 0.5


def test_colours_follow_the_scorecards_thresholds():
    assert logic.color_for(39, red_below=40, green_from=70) == "red"
    assert logic.color_for(40, red_below=40, green_from=70) == "yellow"
    assert logic.color_for(70, red_below=40, green_from=70) == "green"
    healthy = logic.score_account(default_config(), HEALTHY)
    strict = logic.score_account(default_config(red_below=healthy.score + 1, green_from=100), HEALTHY)
    assert strict.score == healthy.score and strict.color == "red"


def test_an_override_replaces_the_score_and_its_adjustment_is_a_part_of_it():
    result = logic.score_account(default_config(), IDLE, override=75)
    assert result.score == 75 and result.color == "green" and result.computed < 20
    assert sum(result.points.values()) == 75 and result.points[logic.OVERRIDE] == 75 - result.computed


def test_weights_summing_to_zero_are_a_clear_field_error():
    errors = logic.scorecard_errors(components=[ComponentConfig(logic.BREADTH, 0, 1, 8),
                                                ComponentConfig(logic.SUPPORT, 0, 12, 0)],
                                    red_below=40, green_from=70, window_days=30)
    assert errors == {"weights": ["The weights add up to 0: give at least one component a weight above 0."]}


def test_other_scorecard_errors_name_their_field():
    errors = logic.scorecard_errors(components=[ComponentConfig(logic.BREADTH, 5, 3, 3),
                                                ComponentConfig("astrology", 5, 0, 1)],
                                    red_below=80, green_from=60, window_days=3)
    assert set(errors) == {"components.0.good", "components.1.kind", "green_from", "window_days"}


def test_code_red_fires_on_crossing_into_red_and_on_a_sharp_drop_but_never_while_flagged():
    assert logic.code_red(score=30, color="red", previous_score=45, previous_color="yellow", reference_score=None,
                          drop_points=20, already_flagged=False) == logic.RiskDecision(True, "red")
    assert not logic.code_red(score=30, color="red", previous_score=31, previous_color="red", reference_score=None,
                              drop_points=20, already_flagged=False).flag
    assert logic.code_red(score=60, color="yellow", previous_score=75, previous_color="green", reference_score=85,
                          drop_points=20, already_flagged=False) == logic.RiskDecision(True, "drop")
    assert not logic.code_red(score=58, color="yellow", previous_score=60, previous_color="yellow",
                              reference_score=85, drop_points=20, already_flagged=False).flag  # already dropped
    assert not logic.code_red(score=10, color="red", previous_score=50, previous_color="yellow", reference_score=90,
                              drop_points=20, already_flagged=True).flag


inputs = st.builds(
    AccountInputs,
    events=st.integers(0, 10_000), events_previous=st.integers(0, 10_000), active_days=st.integers(0, 30),
    features=st.integers(0, 20), peak_users=st.integers(0, 500), seats=st.one_of(st.none(), st.integers(1, 500)),
    tickets=st.integers(0, 50), tickets_weighted=st.integers(0, 200), email_sent=st.integers(0, 500),
    email_engaged=st.integers(0, 500), email_unsubscribed=st.integers(0, 5),
    days_to_renewal=st.one_of(st.none(), st.integers(0, 800)))
weights = st.lists(st.integers(0, 100), min_size=len(logic.KINDS), max_size=len(logic.KINDS)).filter(
    lambda values: sum(values) > 0)


def config_with(weight_values) -> ScorecardConfig:
    return ScorecardConfig(components=tuple(
        ComponentConfig(kind, weight, logic.DEFAULTS[kind][1], logic.DEFAULTS[kind][2])
        for kind, weight in zip(logic.KINDS, weight_values, strict=True)))


@settings(max_examples=300, deadline=None)
@given(before=inputs, after=inputs, weights_before=weights, weights_after=weights,
       override_before=st.one_of(st.none(), st.integers(0, 100)),
       override_after=st.one_of(st.none(), st.integers(0, 100)))
def test_the_parts_add_up_exactly_to_the_score_and_the_contributions_to_the_change(
        before, after, weights_before, weights_after, override_before, override_after):
    first = logic.score_account(config_with(weights_before), before, override=override_before)
    second = logic.score_account(config_with(weights_after), after, override=override_after)
    for result in (first, second):
        assert 0 <= result.score <= 100
        assert sum(result.points.values()) == result.score
        assert sum(c.points for c in result.components) == result.computed
    moved = logic.contributions(first.points, second.points)
    assert sum(moved.values()) == second.score - first.score


def test_auc_lift_and_calibration_on_a_known_example():
    labels = [0, 0, 1, 1]
    assert logic.auc([0.1, 0.4, 0.35, 0.8], labels) == 0.75
    assert logic.auc([1, 1, 1, 1], labels) == 0.5
    assert logic.auc([1, 2], [0, 0]) is None
    assert logic.top_decile_lift([0.9, 0.1, 0.2, 0.3], [1, 0, 0, 0]) == 4.0
    bins = logic.calibration([0.05, 0.15, 0.95], [0, 1, 1], bins=10)
    assert bins[0].count == 1 and bins[1].observed == 1.0 and bins[9].predicted == 0.95


def test_the_chart_maps_scores_to_svg_coordinates():
    chart = logic.line_chart([("2030-01-01", 100, "green"), ("2030-01-02", 0, "red")], red_below=40, green_from=70)
    assert chart.points[0].y == 8.0 and chart.points[1].y == 160.0
    assert chart.path.startswith("M10.0,8.0 L")


def test_the_auc_interval_resamples_accounts_not_rows():
    # Ten accounts, four dates each: the five riskiest accounts churn. Perfect ranking gives a degenerate interval.
    scores = [float(account) for account in range(10) for _date in range(4)]
    labels = [int(account >= 5) for account in range(10) for _date in range(4)]
    groups = [account for account in range(10) for _date in range(4)]
    assert logic.auc_interval(scores, labels, groups) == (1.0, 1.0)
    # Scores that carry no information: the interval is wide and holds 0.5; the same seed gives the same interval.
    noise = [float((account * 7919) % 13) for account in range(40) for _date in range(3)]
    coin = [int(account % 2 == 0) for account in range(40) for _date in range(3)]
    owners = [account for account in range(40) for _date in range(3)]
    low, high = logic.auc_interval(noise, coin, owners)
    assert low < 0.5 < high and high - low > 0.15
    assert logic.auc_interval(noise, coin, owners) == (low, high)
    # Treating the 120 rows as independent would claim three times the evidence there is: the row-wise interval
    # is narrower than the account-wise one.
    row_low, row_high = logic.auc_interval(noise, coin, list(range(120)))
    assert row_high - row_low < high - low
    assert logic.auc_interval([1.0, 2.0], [0, 1], ["only one account", "only one account"]) is None
