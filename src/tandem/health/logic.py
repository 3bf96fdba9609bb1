"""Health scoring, pure: frozen dataclasses in, frozen dataclasses out, no database (docs/health.md).

A scorecard shares 100 points among its components in proportion to their weights (largest remainder, so the
shares are whole numbers adding up to exactly 100). A component turns one measured value into a fraction
between its "bad" threshold (no points) and its "good" threshold (all its points), linearly; its points are that
fraction of its share, rounded half up to a whole number. The score is the sum of the components' points, so it
is always exactly the sum of its parts, and the change between two scores is exactly the sum of the
per-component changes. A component without data (no subscription for the seat ratio, no marketing mail sent, no
surveys app yet) is skipped: its weight is shared among the others, and the explanation says so.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# --- components ----------------------------------------------------------------------------------------------------

USAGE_FREQUENCY = "usage_frequency"
USAGE_TREND = "usage_trend"
BREADTH = "breadth"
SEATS = "seat_utilisation"
SUPPORT = "support_load"
MARKETING = "marketing_engagement"
RENEWAL = "renewal_proximity"
SURVEYS = "nps_csat"
OVERRIDE = "override"  # not a component: the manual override's adjustment in a change's explanation

KINDS = (USAGE_FREQUENCY, USAGE_TREND, BREADTH, SEATS, SUPPORT, MARKETING, RENEWAL, SURVEYS)

# kind -> (default weight, default bad threshold, default good threshold)
DEFAULTS: dict[str, tuple[int, float, float]] = {
    USAGE_FREQUENCY: (25, 2, 20),      # active days in the window
    USAGE_TREND: (15, -50, 0),         # % change of events against the previous window
    BREADTH: (10, 1, 8),               # distinct features (event names) used in the window
    SEATS: (15, 10, 70),               # peak daily active users as % of licensed seats
    SUPPORT: (15, 12, 0),              # severity-weighted tickets opened in the window (fewer is better)
    MARKETING: (5, 5, 40),             # opens and clicks per 100 marketing emails sent
    RENEWAL: (10, 0, 90),              # days until the next renewal date
    SURVEYS: (5, 0, 10),               # NPS/CSAT: skipped until a surveys app exists
}

RED, YELLOW, GREEN = "red", "yellow", "green"
COLORS = (RED, YELLOW, GREEN)
MAX_POINTS = 100


@dataclass(frozen=True)
class ComponentConfig:
    kind: str
    weight: int
    bad: float
    good: float


@dataclass(frozen=True)
class ScorecardConfig:
    components: tuple[ComponentConfig, ...]
    red_below: int = 40
    green_from: int = 70
    window_days: int = 30
    scorecard_id: int | None = None


@dataclass(frozen=True)
class AccountInputs:
    """What one account's score is computed from (all over the scorecard's window, from the daily roll-ups)."""

    events: int = 0                    # product events (not email.*) in the window
    events_previous: int = 0           # the same over the window before it
    active_days: int = 0
    features: int = 0                  # distinct product event names
    peak_users: int = 0                # most distinct end users seen on one day for one event
    seats: int | None = None           # licensed seats of the active subscriptions (None: no subscription)
    tickets: int = 0
    tickets_weighted: int = 0          # low 1, normal 2, high 3, urgent 5
    email_sent: int = 0
    email_engaged: int = 0             # opened + clicked
    email_unsubscribed: int = 0
    days_to_renewal: int | None = None  # None: no active subscription
    surveys: float | None = None       # reserved for the surveys app


@dataclass(frozen=True)
class ComponentResult:
    kind: str
    weight: int
    max_points: int
    points: int
    value: float | None
    detail: Mapping[str, Any] = field(default_factory=dict)
    skipped: str = ""  # why the component was left out ("" when it counted)

    def as_row(self) -> list[Any]:
        """The compact form stored with a snapshot."""
        return [self.kind, self.weight, self.max_points, self.points, self.value, dict(self.detail), self.skipped]


def component_from_row(row: Sequence[Any]) -> ComponentResult:
    kind, weight, max_points, points, value, detail, skipped = row
    return ComponentResult(kind=kind, weight=int(weight), max_points=int(max_points), points=int(points),
                           value=value, detail=detail or {}, skipped=skipped or "")


@dataclass(frozen=True)
class ScoreResult:
    score: int                 # what is shown: the override when one is in force, else the computed score
    computed: int              # the sum of the components' points
    color: str
    components: tuple[ComponentResult, ...]
    override: int | None = None

    @property
    def points(self) -> dict[str, int]:
        """Each part's points, the override's adjustment included: they add up exactly to ``score``."""
        parts = {component.kind: component.points for component in self.components}
        if self.override is not None:
            parts[OVERRIDE] = self.score - self.computed
        return parts


# --- validation ----------------------------------------------------------------------------------------------------


def scorecard_errors(*, components: Sequence[ComponentConfig], red_below: int, green_from: int,
                     window_days: int) -> dict[str, list[str]]:
    """Field errors of a scorecard (empty when it is valid). Keys are field paths (``components.2.good``)."""
    errors: dict[str, list[str]] = {}
    if not components:
        errors["components"] = ["Add at least one component."]
    seen: set[str] = set()
    for index, component in enumerate(components):
        if component.kind not in KINDS:
            errors[f"components.{index}.kind"] = [f"Unknown component '{component.kind}'."]
        elif component.kind in seen:
            errors[f"components.{index}.kind"] = ["This component is listed twice."]
        seen.add(component.kind)
        if component.weight < 0 or component.weight > 1000:
            errors[f"components.{index}.weight"] = ["A weight is a whole number from 0 to 1000."]
        if not (math.isfinite(component.bad) and math.isfinite(component.good)):
            errors[f"components.{index}.good"] = ["Thresholds must be numbers."]
        elif component.bad == component.good:
            errors[f"components.{index}.good"] = ["The 'good' threshold must differ from the 'bad' one."]
    if components and "components" not in errors and sum(max(c.weight, 0) for c in components) == 0:
        errors["weights"] = ["The weights add up to 0: give at least one component a weight above 0."]
    if not 0 <= red_below <= 100:
        errors["red_below"] = ["Use a score from 0 to 100."]
    if not 0 <= green_from <= 100:
        errors["green_from"] = ["Use a score from 0 to 100."]
    elif red_below > green_from:
        errors["green_from"] = ["Green must start at or above the red threshold."]
    if not 7 <= window_days <= 365:
        errors["window_days"] = ["The window is 7 to 365 days."]
    return errors


# --- scoring -------------------------------------------------------------------------------------------------------


def allocate(weights: Sequence[int], total: int = MAX_POINTS) -> list[int]:
    """Share ``total`` whole points in proportion to ``weights`` (largest remainder; ties go to the earlier
    component). All-zero weights get nothing."""
    weight_sum = sum(weights)
    if weight_sum <= 0:
        return [0 for _weight in weights]
    exact = [weight * total / weight_sum for weight in weights]
    shares = [int(math.floor(value)) for value in exact]
    leftover = total - sum(shares)
    order = sorted(range(len(weights)), key=lambda index: (-(exact[index] - shares[index]), index))
    for index in order[:leftover]:
        shares[index] += 1
    return shares


def fraction(value: float, bad: float, good: float) -> float:
    """Where ``value`` lies from ``bad`` (0) to ``good`` (1), clamped; works either way round."""
    if good == bad:
        return 1.0 if value >= good else 0.0
    position = (value - bad) / (good - bad)
    return 0.0 if position <= 0 else 1.0 if position >= 1 else position


def round_half_up(value: float) -> int:
    return int(math.floor(value + 0.5 + 1e-9))


def measure(kind: str, inputs: AccountInputs, window_days: int) -> tuple[float | None, dict[str, Any], str]:
    """(value, the data behind it, why skipped) for one component."""
    detail: dict[str, Any]
    if kind == USAGE_FREQUENCY:
        return float(inputs.active_days), {"active_days": inputs.active_days, "events": inputs.events,
                                           "window_days": window_days}, ""
    if kind == USAGE_TREND:
        detail = {"events": inputs.events, "events_previous": inputs.events_previous, "window_days": window_days}
        if inputs.events_previous == 0:
            if inputs.events == 0:
                return None, detail, "no_usage"
            return 100.0, detail, ""
        change = (inputs.events - inputs.events_previous) * 100.0 / inputs.events_previous
        return round(change, 1), detail, ""
    if kind == BREADTH:
        return float(inputs.features), {"features": inputs.features, "window_days": window_days}, ""
    if kind == SEATS:
        detail = {"peak_users": inputs.peak_users, "seats": inputs.seats}
        if not inputs.seats:
            return None, detail, "no_subscription"
        return round(inputs.peak_users * 100.0 / inputs.seats, 1), detail, ""
    if kind == SUPPORT:
        return float(inputs.tickets_weighted), {"tickets": inputs.tickets, "weighted": inputs.tickets_weighted,
                                                "window_days": window_days}, ""
    if kind == MARKETING:
        detail = {"sent": inputs.email_sent, "engaged": inputs.email_engaged,
                  "unsubscribed": inputs.email_unsubscribed}
        if inputs.email_sent == 0:
            return None, detail, "no_email"
        rate = max(inputs.email_engaged - 5 * inputs.email_unsubscribed, 0) * 100.0 / inputs.email_sent
        return round(rate, 1), detail, ""
    if kind == RENEWAL:
        detail = {"days_to_renewal": inputs.days_to_renewal}
        if inputs.days_to_renewal is None:
            return None, detail, "no_subscription"
        return float(inputs.days_to_renewal), detail, ""
    if kind == SURVEYS:
        if inputs.surveys is None:
            return None, {}, "no_surveys"
        return float(inputs.surveys), {}, ""
    raise ValueError(f"unknown component {kind!r}")


def color_for(score: int, *, red_below: int, green_from: int) -> str:
    if score < red_below:
        return RED
    if score >= green_from:
        return GREEN
    return YELLOW


@functools.lru_cache(maxsize=4096)
def _shares(weights: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(allocate(weights))


@dataclass(frozen=True)
class ScoredRow:
    """The compact result the bulk recompute stores: the score, the computed score, the colour, and each
    component as ``ComponentResult.as_row`` (no per-component objects: 100,000 accounts at a time)."""

    score: int
    computed: int
    color: str
    rows: tuple[list[Any], ...]
    override: int | None = None


def score_rows(config: ScorecardConfig, inputs: AccountInputs, *, override: int | None = None) -> ScoredRow:
    """The score of one account: the maths of ``score_account`` in the stored row form."""
    window = config.window_days
    measured = []
    weights = []
    for component in config.components:
        value, detail, skipped = measure(component.kind, inputs, window)
        if not skipped and component.weight == 0:
            skipped = "zero_weight"
        measured.append((component, value, detail, skipped))
        if not skipped:
            weights.append(component.weight)
    shares = iter(_shares(tuple(weights)))
    rows = []
    computed = 0
    for component, value, detail, skipped in measured:
        max_points = points = 0
        if not skipped:
            max_points = next(shares)
            if value is not None and max_points:
                points = round_half_up(max_points * fraction(value, component.bad, component.good))
                computed += points
        rows.append([component.kind, component.weight, max_points, points, value, detail, skipped])
    shown = computed if override is None else max(0, min(MAX_POINTS, int(override)))
    color = RED if shown < config.red_below else GREEN if shown >= config.green_from else YELLOW
    return ScoredRow(score=shown, computed=computed, color=color, rows=tuple(rows),
                     override=None if override is None else shown)


def score_account(config: ScorecardConfig, inputs: AccountInputs, *, override: int | None = None) -> ScoreResult:
    scored = score_rows(config, inputs, override=override)
    return ScoreResult(score=scored.score, computed=scored.computed, color=scored.color,
                       components=tuple(component_from_row(row) for row in scored.rows), override=scored.override)


def contributions(previous: Mapping[str, int] | None, current: Mapping[str, int]) -> dict[str, int]:
    """Per part (component or override), how many points it moved the score since ``previous``. Their sum is
    exactly the change of the score; parts that did not move are left out."""
    before = previous or {}
    moved = {}
    for kind in list(dict.fromkeys([*before, *current])):
        delta = current.get(kind, 0) - before.get(kind, 0)
        if delta:
            moved[kind] = delta
    return moved


# --- code red ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskDecision:
    flag: bool
    reason: str = ""  # "red" or "drop"


def code_red(*, score: int, color: str, previous_score: int | None, previous_color: str | None,
             reference_score: int | None, drop_points: int, already_flagged: bool) -> RiskDecision:
    """Flag when the score crosses into red (it was not red at the last computation, or there was none), or when
    it has just fallen ``drop_points`` or more below the score of ``drop_days`` ago (``reference_score``). Never
    while the account is still flagged."""
    if already_flagged:
        return RiskDecision(False)
    if color == RED and previous_color != RED:
        return RiskDecision(True, "red")
    if drop_points > 0 and reference_score is not None and reference_score - score >= drop_points:
        was_dropped = previous_score is not None and reference_score - previous_score >= drop_points
        if not was_dropped:
            return RiskDecision(True, "drop")
    return RiskDecision(False)


# --- evaluation metrics --------------------------------------------------------------------------------------------


def auc(scores: Sequence[float], labels: Sequence[int]) -> float | None:
    """Area under the ROC curve: the chance that a random positive scores above a random negative (ties count
    half). None without both classes."""
    positives = sum(1 for label in labels if label)
    negatives = len(labels) - positives
    if not positives or not negatives:
        return None
    order = sorted(range(len(scores)), key=lambda index: scores[index])
    ranks = [0.0] * len(scores)
    position = 0
    while position < len(order):
        end = position
        while end + 1 < len(order) and scores[order[end + 1]] == scores[order[position]]:
            end += 1
        average = (position + end) / 2 + 1
        for index in order[position:end + 1]:
            ranks[index] = average
        position = end + 1
    rank_sum = sum(rank for rank, label in zip(ranks, labels, strict=True) if label)
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def auc_interval(scores: Sequence[float], labels: Sequence[int], groups: Sequence[Any], *, rounds: int = 200,
                 level: float = 0.95, seed: int = 7) -> tuple[float, float] | None:
    """A bootstrap confidence interval for ``auc``, resampling whole groups (accounts) with replacement: an
    account observed on many dates is one piece of evidence, not many, so rows are not resampled one by one.
    Deterministic for a given seed. None when too few resamples hold both classes."""
    members: dict[Any, list[int]] = {}
    for index, group in enumerate(groups):
        members.setdefault(group, []).append(index)
    keys = list(members)
    if len(keys) < 2:
        return None
    rng = random.Random(seed)
    values = []
    for _round in range(rounds):
        picked = [index for _draw in keys for index in members[keys[rng.randrange(len(keys))]]]
        value = auc([scores[index] for index in picked], [labels[index] for index in picked])
        if value is not None:
            values.append(value)
    if len(values) < rounds // 2:
        return None
    values.sort()
    tail = (1 - level) / 2
    return values[int(tail * len(values))], values[min(len(values) - 1, int((1 - tail) * len(values)))]


def top_decile_lift(scores: Sequence[float], labels: Sequence[int]) -> float | None:
    """The churn rate among the riskiest tenth (highest scores) divided by the overall churn rate."""
    if not labels:
        return None
    base = sum(labels) / len(labels)
    if base == 0:
        return None
    size = max(1, math.ceil(len(labels) / 10))
    order = sorted(range(len(scores)), key=lambda index: (-scores[index], index))[:size]
    return (sum(labels[index] for index in order) / size) / base


@dataclass(frozen=True)
class CalibrationBin:
    low: float
    high: float
    count: int
    predicted: float | None  # mean predicted probability in the bin
    observed: float | None   # share that churned


def calibration(probabilities: Sequence[float], labels: Sequence[int], *, bins: int = 10) -> list[CalibrationBin]:
    """Equal-width bins of the predicted probability: mean prediction against the observed churn rate."""
    buckets: list[list[int]] = [[] for _bin in range(bins)]
    for index, probability in enumerate(probabilities):
        buckets[min(int(probability * bins), bins - 1) if probability >= 0 else 0].append(index)
    result = []
    for number, members in enumerate(buckets):
        result.append(CalibrationBin(
            low=number / bins, high=(number + 1) / bins, count=len(members),
            predicted=(sum(probabilities[i] for i in members) / len(members)) if members else None,
            observed=(sum(labels[i] for i in members) / len(members)) if members else None))
    return result


# --- chart ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    day: str
    score: int
    color: str


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    path: str
    points: tuple[ChartPoint, ...]
    red_y: float
    green_y: float
    labels: tuple[tuple[float, str], ...]


def line_chart(history: Iterable[tuple[Any, int, str]], *, red_below: int, green_from: int, width: int = 640,
               height: int = 180) -> LineChart:
    """Coordinates for a server-rendered SVG line chart of (day, score, color), oldest first, 0–100 on y."""
    rows = list(history)
    top, bottom = 8.0, height - 20.0
    span = bottom - top

    def y_of(value: float) -> float:
        return round(bottom - span * value / MAX_POINTS, 1)

    step = (width - 20) / max(len(rows) - 1, 1)
    points = tuple(ChartPoint(x=round(10 + index * step, 1), y=y_of(score), day=str(day), score=score, color=color)
                   for index, (day, score, color) in enumerate(rows))
    path = " ".join(f"{'M' if index == 0 else 'L'}{point.x},{point.y}" for index, point in enumerate(points))
    label_every = max(1, len(points) // 6)
    labels = tuple((point.x, point.day[5:]) for index, point in enumerate(points)
                   if index % label_every == 0 or index == len(points) - 1)
    return LineChart(width=width, height=height, path=path, points=points, red_y=y_of(red_below),
                     green_y=y_of(green_from), labels=labels)
