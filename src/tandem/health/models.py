"""Health: scorecards (per segment, with weighted components), the daily score of every account with its
explanation, manual overrides, code-red flags and their playbook, churn predictions and backtest results."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import Account
from tandem.core.models import PublicModel
from tandem.health.choices import Color, ComponentKind, PlaybookRole, RiskReason, Segment


class Scorecard(PublicModel):
    """How the accounts of one segment are scored. At most one active scorecard per segment; the one with the
    empty segment scores every account whose tier has none of its own."""

    name = models.CharField(_("name"), max_length=120)
    segment = models.CharField(_("segment"), max_length=12, choices=Segment.choices, blank=True, default="")
    active = models.BooleanField(_("active"), default=True)
    red_below = models.PositiveSmallIntegerField(_("red below"), default=40)
    green_from = models.PositiveSmallIntegerField(_("green from"), default=70)
    window_days = models.PositiveSmallIntegerField(_("window (days)"), default=30)
    drop_points = models.PositiveSmallIntegerField(_("code red on a drop of (points)"), default=20)
    drop_days = models.PositiveSmallIntegerField(_("within (days)"), default=14)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["segment", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["segment"], condition=Q(active=True), name="health_one_active_scorecard"),
            models.CheckConstraint(condition=Q(red_below__lte=models.F("green_from")),
                                   name="health_red_below_green"),
        ]

    def __str__(self) -> str:
        return self.name


class ScorecardComponent(models.Model):
    """One weighted component of a scorecard: points go from none at ``bad`` to all at ``good`` (either way
    round: for ticket load, fewer is better)."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="components")
    kind = models.CharField(_("component"), max_length=24, choices=ComponentKind.choices)
    weight = models.PositiveSmallIntegerField(_("weight"), default=10)
    bad = models.FloatField(_("no points at"))
    good = models.FloatField(_("all points at"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "kind"], name="health_component_once")]

    def __str__(self) -> str:
        return f"{self.scorecard}: {self.kind} × {self.weight}"


class HealthSnapshot(models.Model):
    """An account's score on one UTC day (the last computation of that day wins), with each component's value,
    points and data, so the score and every change explain themselves later too. ``components`` holds the rows
    of ``logic.ComponentResult.as_row``; ``score`` is exactly the sum of their points plus the override's
    adjustment."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    score = models.PositiveSmallIntegerField()
    computed = models.PositiveSmallIntegerField()
    override = models.PositiveSmallIntegerField(null=True, blank=True)
    color = models.CharField(max_length=6, choices=Color.choices)
    # JSON text, not jsonb: it is only ever read whole, and converting 100,000 rows to jsonb was most of the cost
    # of a full recompute's write
    components = models.TextField(default="[]")
    scorecard = models.ForeignKey(Scorecard, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="health_snapshot_per_day")]
        indexes = [models.Index(fields=["day", "color"], name="health_snapshot_day_color")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.day}: {self.score}"

    @property
    def component_rows(self) -> list[list[Any]]:
        return json.loads(self.components or "[]")


class HealthOverride(PublicModel):
    """A CSM's manual score for an account, with the reason, until it expires or is cleared."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))
    reason = models.CharField(_("reason"), max_length=500)
    expires_at = models.DateTimeField(_("expires"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "cleared_at", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.score} until {self.expires_at:%Y-%m-%d}"


class RiskFlag(PublicModel):
    """Code red: the account was flagged at risk (crossed into red, or dropped sharply). Open until someone
    resolves it with a reason; at most one open flag per account."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=8, choices=RiskReason.choices)
    score = models.PositiveSmallIntegerField()
    previous_score = models.PositiveSmallIntegerField(null=True, blank=True)
    flagged_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    resolution = models.CharField(_("resolution"), max_length=1000, blank=True)

    class Meta:
        ordering = ["-flagged_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["account"], condition=Q(resolved_at__isnull=True),
                                               name="health_one_open_flag")]

    def __str__(self) -> str:
        return f"{self.account_id} code red {self.flagged_at:%Y-%m-%d}"


class PlaybookStep(models.Model):
    """One task of the risk playbook started when an account is flagged code red."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    role = models.CharField(_("assigned to"), max_length=8, choices=PlaybookRole.choices, default=PlaybookRole.CSM)
    due_days = models.PositiveSmallIntegerField(_("due after (days)"), default=1)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class ChurnPrediction(models.Model):
    """The churn model's latest prediction for an account: the probability of churning within the horizon and
    the features that pushed it most (coefficient × standardised value)."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, primary_key=True, related_name="+")
    probability = models.FloatField()
    drivers = models.JSONField(default=list)
    horizon_days = models.PositiveSmallIntegerField()
    observed_on = models.DateField()
    predicted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.account_id}: {self.probability:.2f}"


class BacktestRun(PublicModel):
    """The figures of one backtest (``tandem health backtest`` or the API): AUC, top-decile lift and calibration
    of the health score and of the model over rolling observation dates."""

    horizon_days = models.PositiveSmallIntegerField()
    results = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"backtest {self.created_at:%Y-%m-%d} ({self.horizon_days} days)"
