"""The backtest and the churn predictions (services acting as the system; docs/health.md).

Rolling observation dates every ``step_days`` from the first data to ``today - horizon``. For each evaluated
date ``d`` the model is trained only on observation dates whose horizon had ended by ``d`` (``d' + horizon <=
d``, so no label it learns from was unknown on ``d``), then it and the health score rank the accounts active on
``d``; the pooled rankings give AUC, top-decile lift and calibration for both."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.audit.services import audit_created
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.health import churn, features, logic, selectors
from tandem.health.models import BacktestRun, ChurnPrediction

DEFAULT_HORIZON = 90
DEFAULT_STEP = 15
LOOKBACK_DAYS = 60  # usage needs two 30-day windows before the first observation date


@dataclass
class _Pool:
    scores: list[float] = field(default_factory=list)  # risk: 100 - score
    probabilities: list[float] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    accounts: list[int] = field(default_factory=list)


def _summary(risk: list[float], labels: list[int], probabilities: list[float] | None,
             accounts: list[int]) -> dict[str, Any]:
    value = logic.auc(risk, labels)
    lift = logic.top_decile_lift(risk, labels)
    interval = logic.auc_interval(risk, labels, accounts)
    result: dict[str, Any] = {"auc": None if value is None else round(value, 4),
                              "auc_ci95": None if interval is None else [round(bound, 4) for bound in interval],
                              "top_decile_lift": None if lift is None else round(lift, 3)}
    if probabilities is not None:
        result["calibration"] = [
            {"low": b.low, "high": b.high, "count": b.count,
             "predicted": None if b.predicted is None else round(b.predicted, 4),
             "observed": None if b.observed is None else round(b.observed, 4)}
            for b in logic.calibration(probabilities, labels)]
    else:  # the score is no probability: observed churn per score band
        bands = logic.calibration([1 - r / 100 for r in risk], labels)
        result["calibration"] = [
            {"score_from": int(b.low * 100), "score_to": int(b.high * 100) - (0 if b.high >= 1 else 1),
             "count": b.count, "observed": None if b.observed is None else round(b.observed, 4)} for b in bands]
    return result


def observation_dates(*, history: features.ContractHistory, today: datetime.date, horizon_days: int,
                      step_days: int) -> list[datetime.date]:
    starts = [day for day in history.first_day.values()]
    first_usage = features.first_usage_day()
    if first_usage is not None:
        starts.append(first_usage)
    if not starts:
        return []
    first = min(starts) + datetime.timedelta(days=LOOKBACK_DAYS)
    last = today - datetime.timedelta(days=horizon_days)
    dates = []
    day = last
    while day >= first:
        dates.append(day)
        day -= datetime.timedelta(days=step_days)
    return sorted(dates)


def backtest_compute(*, horizon_days: int = DEFAULT_HORIZON, step_days: int = DEFAULT_STEP,
                     today: datetime.date | None = None) -> dict[str, Any]:
    if not 7 <= horizon_days <= 730:
        raise ValidationFailed("The horizon is 7 to 730 days.", errors={"horizon": ["Use 7 to 730 days."]})
    if not 7 <= step_days <= 365:
        raise ValidationFailed("The step is 7 to 365 days.", errors={"step": ["Use 7 to 365 days."]})
    today = today or selectors.today()
    history = features.contract_history()
    cards = selectors.active_scorecards()
    dates = observation_dates(history=history, today=today, horizon_days=horizon_days, step_days=step_days)
    observed = {day: features.observe(day=day, history=history, horizon_days=horizon_days, today=today, cards=cards)
                for day in dates}
    pool = _Pool()
    per_date = []
    model = None
    for day in dates:
        training = [o for d in dates if d + datetime.timedelta(days=horizon_days) <= day for o in observed[d]]
        model = churn.train(features.FEATURES, [o.features for o in training], [int(o.label or 0) for o in training])
        rows = observed[day]
        if model is None or not rows:
            continue
        probabilities = churn.predict(model, [o.features for o in rows])
        labels = [int(o.label or 0) for o in rows]
        risk = [100.0 - o.score for o in rows]
        pool.probabilities += probabilities
        pool.scores += risk
        pool.labels += labels
        pool.accounts += [o.account_id for o in rows]
        score_auc = logic.auc(risk, labels)
        model_auc = logic.auc(probabilities, labels)
        per_date.append({"date": day.isoformat(), "accounts": len(rows), "churned": sum(labels),
                         "trained_on": model.rows, "score_auc": None if score_auc is None else round(score_auc, 4),
                         "model_auc": None if model_auc is None else round(model_auc, 4)})
    all_rows = [o for d in dates for o in observed[d]]
    final = churn.train(features.FEATURES, [o.features for o in all_rows], [int(o.label or 0) for o in all_rows])
    return {
        "horizon_days": horizon_days, "step_days": step_days, "today": today.isoformat(),
        "observation_dates": [day.isoformat() for day in dates],
        "evaluated_dates": len(per_date), "rows": len(pool.labels), "churned": sum(pool.labels),
        "accounts": len(set(pool.accounts)), "churned_accounts": len({a for a, label in zip(pool.accounts,
                                                                                           pool.labels,
                                                                                           strict=True) if label}),
        "score": _summary(pool.scores, pool.labels, None, pool.accounts),
        "model": {**_summary(pool.probabilities, pool.labels, pool.probabilities, pool.accounts),
                  "kind": "logistic regression (scikit-learn), standardised features"},
        "per_date": per_date,
        "features": list(features.FEATURES),
        "coefficients": final.coefficient_table() if final else {},
    }


def backtest_run(*, actor: Any, horizon_days: int = DEFAULT_HORIZON, step_days: int = DEFAULT_STEP,
                 today: datetime.date | None = None) -> BacktestRun:
    """Run the backtest and keep its figures (administrators; the CLI runs it as the system)."""
    if not can(actor, Action.CHANGE, resource="health_scorecard"):
        raise PermissionDenied("You may not run the churn backtest.")
    results = backtest_compute(horizon_days=horizon_days, step_days=step_days, today=today)
    with transaction.atomic():
        run = BacktestRun.objects.create(horizon_days=horizon_days, results=results,
                                         created_by=actor if getattr(actor, "pk", None) else None)
        audit_created(actor=actor, obj=run, fields=("horizon_days",), summary="Churn backtest run")
    return run


def predictions_refresh(*, horizon_days: int = DEFAULT_HORIZON, step_days: int = DEFAULT_STEP,
                        today: datetime.date | None = None) -> int:
    """Train on every observation date whose horizon has ended, predict for the accounts active today, and store
    each prediction with its top drivers (replacing the previous predictions). Returns how many were stored."""
    today = today or selectors.today()
    history = features.contract_history()
    cards = selectors.active_scorecards()
    dates = observation_dates(history=history, today=today, horizon_days=horizon_days, step_days=step_days)
    training = [o for day in dates for o in features.observe(day=day, history=history, horizon_days=horizon_days,
                                                             today=today, cards=cards)]
    model = churn.train(features.FEATURES, [o.features for o in training], [int(o.label or 0) for o in training])
    if model is None:
        return 0
    current = features.observe(day=today + datetime.timedelta(days=1), history=history, horizon_days=horizon_days,
                               today=today, cards=cards)
    probabilities = churn.predict(model, [o.features for o in current])
    now = timezone.now()
    rows = [ChurnPrediction(account_id=o.account_id, probability=probability, horizon_days=horizon_days,
                            drivers=[d.as_dict() for d in churn.drivers(model, o.features)], observed_on=today,
                            predicted_at=now) for o, probability in zip(current, probabilities, strict=True)]
    with transaction.atomic():
        ChurnPrediction.objects.all().delete()
        ChurnPrediction.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
