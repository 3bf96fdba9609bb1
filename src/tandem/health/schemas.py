"""API schemas of the health app."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from tandem.health.choices import ComponentKind, PlaybookRole, Segment


class ComponentOut(Schema):
    kind: str
    label: str
    weight: int
    max_points: int
    points: int
    value: float | None
    unit: str
    data: dict[str, Any]
    explanation: str
    skipped: str | None = Field(None, description="Why the component was left out (its weight went to the others)")


class ContributionOut(Schema):
    part: str = Field(description="A component kind, or 'override'")
    label: str
    points: int


class HealthOut(Schema):
    account: str
    day: date
    score: int
    color: str
    computed_score: int = Field(description="The sum of the components' points (the score unless overridden)")
    override: int | None
    scorecard: str | None
    computed_at: datetime
    components: list[ComponentOut]
    previous_day: date | None
    previous_score: int | None
    change: int | None
    contributions: list[ContributionOut] = Field(
        description="How each part moved the score since the previous day's score; they add up exactly to change")


class HistoryOut(Schema):
    items: list[HealthOut]


class OverrideIn(Schema):
    score: int = Field(ge=0, le=100)
    reason: str = Field(min_length=1, max_length=500)
    expires_at: datetime


class OverrideOut(Schema):
    id: str
    account: str
    score: int
    reason: str
    expires_at: datetime
    created_by: str | None
    created_at: datetime
    cleared_at: datetime | None
    in_force: bool


class OverridePage(Schema):
    items: list[OverrideOut]
    next_cursor: str | None


class RiskOut(Schema):
    id: str
    account: str
    account_name: str
    reason: str
    score: int
    previous_score: int | None
    flagged_at: datetime
    resolved_at: datetime | None
    resolution: str
    mrr_at_risk: str | None = None
    currency: str | None = None
    days_in_red: int | None = None
    owner: str | None = None
    last_touch: datetime | None = None


class RiskPage(Schema):
    items: list[RiskOut]
    next_cursor: str | None


class ResolveIn(Schema):
    reason: str = Field(min_length=1, max_length=1000)


class ComponentIn(Schema):
    kind: ComponentKind
    weight: int = Field(ge=0, le=1000)
    bad: float | None = Field(None, description="Value at which the component gives no points (default per kind)")
    good: float | None = Field(None, description="Value at which it gives all its points (default per kind)")


class ComponentConfigOut(Schema):
    kind: str
    weight: int
    bad: float
    good: float


class ScorecardIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    segment: Segment = Segment.ALL
    active: bool = True
    red_below: int = Field(40, ge=0, le=100)
    green_from: int = Field(70, ge=0, le=100)
    window_days: int = Field(30, ge=7, le=365)
    drop_points: int = Field(20, ge=0, le=100)
    drop_days: int = Field(14, ge=1, le=90)
    components: list[ComponentIn] | None = Field(None, description="Default: every component at its default")


class ScorecardPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    segment: Segment | None = None
    active: bool | None = None
    red_below: int | None = Field(None, ge=0, le=100)
    green_from: int | None = Field(None, ge=0, le=100)
    window_days: int | None = Field(None, ge=7, le=365)
    drop_points: int | None = Field(None, ge=0, le=100)
    drop_days: int | None = Field(None, ge=1, le=90)
    components: list[ComponentIn] | None = None
    version: int | None = Field(None, description="The version you read; a stale one is a 409")


class ScorecardOut(Schema):
    id: str
    name: str
    segment: str
    active: bool
    red_below: int
    green_from: int
    window_days: int
    drop_points: int
    drop_days: int
    version: int
    components: list[ComponentConfigOut]
    created_at: datetime
    updated_at: datetime


class ScorecardPage(Schema):
    items: list[ScorecardOut]
    next_cursor: str | None


class DriverOut(Schema):
    feature: str
    label: str
    value: float
    contribution: float = Field(description="coefficient × standardised value; > 0 raises the churn risk")


class PredictionOut(Schema):
    account: str
    probability: float
    horizon_days: int
    observed_on: date
    predicted_at: datetime
    drivers: list[DriverOut]


class BacktestIn(Schema):
    horizon_days: int = Field(90, ge=7, le=730)
    step_days: int = Field(15, ge=7, le=365)


class BacktestOut(Schema):
    id: str
    created_at: datetime
    horizon_days: int
    results: dict[str, Any]


class BacktestPage(Schema):
    items: list[BacktestOut]
    next_cursor: str | None


class RecomputeOut(Schema):
    queued: bool


class StepSchema(Schema):
    title: str = Field(min_length=1, max_length=200)
    role: PlaybookRole = PlaybookRole.CSM
    due_days: int = Field(1, ge=0, le=365)
    description: str = ""


class PlaybookIO(Schema):
    steps: list[StepSchema]
