"""Health API under /api/v1/health: scores with explanations, history, predictions, overrides, code red,
scorecards, the risk playbook, recomputes and backtests (docs/health.md). Scopes ``health:read``,
``health:write`` (overrides, resolving, recomputing one account) and ``health:admin`` (scorecards, playbook,
recomputing everything, running the backtest)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from ninja import Router
from ninja.responses import Status

from tandem.api.auth import api_actor
from tandem.api.pagination import paginate
from tandem.health import backtest, presentation, selectors, services
from tandem.health.models import BacktestRun, HealthOverride, RiskFlag, Scorecard
from tandem.health.schemas import (
    BacktestIn,
    BacktestOut,
    BacktestPage,
    HealthOut,
    HistoryOut,
    OverrideIn,
    OverrideOut,
    OverridePage,
    PlaybookIO,
    PredictionOut,
    RecomputeOut,
    ResolveIn,
    RiskOut,
    RiskPage,
    ScorecardIn,
    ScorecardOut,
    ScorecardPage,
    ScorecardPatch,
)
from tandem.health.selectors import Explanation
from tandem.identity.requests import AuthedRequest

router = Router(tags=["health"])
READ, WRITE, ADMIN = "health:read", "health:write", "health:admin"


def _health_out(account_public_id: str, explained: Explanation) -> dict[str, Any]:
    snapshot = explained.snapshot
    components = []
    for component, row in zip(explained.components, presentation.component_rows(explained), strict=True):
        components.append({"kind": component.kind, "label": row.label, "weight": component.weight,
                           "max_points": component.max_points, "points": component.points,
                           "value": component.value, "unit": row.unit, "data": dict(component.detail),
                           "explanation": row.data, "skipped": component.skipped or None})
    return {"account": account_public_id, "day": snapshot.day, "score": snapshot.score, "color": snapshot.color,
            "computed_score": snapshot.computed, "override": snapshot.override,
            "scorecard": snapshot.scorecard.public_id if snapshot.scorecard_id and snapshot.scorecard else None,
            "computed_at": snapshot.computed_at, "components": components,
            "previous_day": explained.previous.day if explained.previous else None,
            "previous_score": explained.previous.score if explained.previous else None,
            "change": explained.change,
            "contributions": [{"part": row.kind, "label": row.label, "points": row.points}
                              for row in presentation.contribution_rows(explained)]}


@router.get("/accounts/{account_id}", response=HealthOut, operation_id="health_score_get")
def score_get(request: AuthedRequest, account_id: str) -> dict[str, Any]:
    """The account's current health score, each component's value, points and data, and what moved it."""
    actor = api_actor(request, scope=READ)
    account = selectors.account_get(actor=actor, public_id=account_id)
    explained = selectors.account_health(actor=actor, account=account)
    if explained is None:
        from tandem.core.exceptions import NotFound

        raise NotFound("This account has no health score yet.")
    return _health_out(account.public_id, explained)


@router.get("/accounts/{account_id}/history", response=HistoryOut, operation_id="health_history_list")
def history_list(request: AuthedRequest, account_id: str, days: int = 90) -> dict[str, Any]:
    """Daily scores, oldest first (at most 730 days), each with its change explained."""
    actor = api_actor(request, scope=READ)
    account = selectors.account_get(actor=actor, public_id=account_id)
    days = max(1, min(days, 730))
    return {"items": [_health_out(account.public_id, row)
                      for row in selectors.account_history(actor=actor, account=account, days=days)]}


@router.post("/accounts/{account_id}/recompute", response=HealthOut, operation_id="health_score_recompute")
def score_recompute(request: AuthedRequest, account_id: str) -> dict[str, Any]:
    actor = api_actor(request, scope=WRITE)
    account = selectors.account_get(actor=actor, public_id=account_id)
    services.account_recompute(actor=actor, account=account)
    explained = selectors.account_health(actor=actor, account=account)
    assert explained is not None
    return _health_out(account.public_id, explained)


@router.get("/accounts/{account_id}/prediction", response=PredictionOut, operation_id="health_prediction_get")
def prediction_get(request: AuthedRequest, account_id: str) -> dict[str, Any]:
    """The churn model's probability of churning within the horizon, with the top drivers."""
    actor = api_actor(request, scope=READ)
    account = selectors.account_get(actor=actor, public_id=account_id)
    prediction = selectors.prediction_of(actor=actor, account=account)
    if prediction is None:
        from tandem.core.exceptions import NotFound

        raise NotFound("No prediction for this account (it has no active subscription, or the model has not run).")
    return {"account": account.public_id, "probability": round(prediction.probability, 4),
            "horizon_days": prediction.horizon_days, "observed_on": prediction.observed_on,
            "predicted_at": prediction.predicted_at,
            "drivers": [{"feature": row.feature, "label": row.label, "value": row.value,
                         "contribution": row.contribution} for row in presentation.driver_rows(prediction)]}


# --- overrides -----------------------------------------------------------------------------------------------------


def _override_out(override: HealthOverride) -> dict[str, Any]:
    return {"id": override.public_id, "account": override.account.public_id, "score": override.score,
            "reason": override.reason, "expires_at": override.expires_at,
            "created_by": override.created_by.public_id if override.created_by else None,
            "created_at": override.created_at, "cleared_at": override.cleared_at,
            "in_force": override.cleared_at is None and override.expires_at > timezone.now()}


@router.get("/accounts/{account_id}/overrides", response=OverridePage, operation_id="health_override_list")
def override_list(request: AuthedRequest, account_id: str, limit: int | None = None,
                  cursor: str | None = None) -> dict[str, Any]:
    actor = api_actor(request, scope=READ)
    account = selectors.account_get(actor=actor, public_id=account_id)
    page = paginate(selectors.overrides_of(actor=actor, account=account), ordering=("-created_at", "-id"),
                    limit=limit, cursor=cursor)
    return {"items": [_override_out(item) for item in page.items], "next_cursor": page.next_cursor}


@router.post("/accounts/{account_id}/overrides", response={201: OverrideOut}, operation_id="health_override_create")
def override_create(request: AuthedRequest, account_id: str, payload: OverrideIn) -> Status:
    """Set the score by hand, with a reason, until ``expires_at`` (replaces any override in force)."""
    actor = api_actor(request, scope=WRITE)
    account = selectors.account_get(actor=actor, public_id=account_id)
    override = services.override_set(actor=actor, account=account, score=payload.score, reason=payload.reason,
                                     expires_at=payload.expires_at)
    return Status(201, _override_out(override))


@router.delete("/overrides/{override_id}", response={204: None}, operation_id="health_override_clear")
def override_clear(request: AuthedRequest, override_id: str) -> Status:
    actor = api_actor(request, scope=WRITE)
    services.override_clear(actor=actor, override=selectors.override_get(actor=actor, public_id=override_id))
    return Status(204, None)


# --- code red ------------------------------------------------------------------------------------------------------


def _risk_out(flag: RiskFlag, row: selectors.BoardRow | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": flag.public_id, "account": flag.account.public_id, "account_name": flag.account.name,
                           "reason": flag.reason, "score": flag.score, "previous_score": flag.previous_score,
                           "flagged_at": flag.flagged_at, "resolved_at": flag.resolved_at,
                           "resolution": flag.resolution}
    if row is not None:
        out.update({"mrr_at_risk": None if row.mrr is None else str(row.mrr), "currency": row.currency or None,
                    "days_in_red": row.days_in_red, "owner": row.owner.public_id if row.owner else None,
                    "last_touch": row.last_touch})
    return out


@router.get("/at-risk", response=RiskPage, operation_id="health_risk_list")
def risk_list(request: AuthedRequest, limit: int | None = None, cursor: str | None = None,
              include_resolved: bool = False) -> dict[str, Any]:
    """Accounts flagged code red (open flags; ``include_resolved`` adds the resolved ones), oldest first, with MRR
    at risk, days in red, owner and last touch."""
    actor = api_actor(request, scope=READ)
    flags = selectors.risk_flag_list(actor=actor, open_only=not include_resolved)
    page = paginate(flags, ordering=("flagged_at", "id"), limit=limit, cursor=cursor)
    rows = selectors.risk_board(actor=actor, flags=page.items)
    return {"items": [_risk_out(row.flag, row) for row in rows], "next_cursor": page.next_cursor}


@router.post("/at-risk/{flag_id}/resolve", response=RiskOut, operation_id="health_risk_resolve")
def risk_resolve(request: AuthedRequest, flag_id: str, payload: ResolveIn) -> dict[str, Any]:
    actor = api_actor(request, scope=WRITE)
    flag = services.risk_flag_resolve(actor=actor, flag=selectors.risk_flag_get(actor=actor, public_id=flag_id),
                                      reason=payload.reason)
    return _risk_out(flag)


# --- scorecards ----------------------------------------------------------------------------------------------------


def _scorecard_out(scorecard: Scorecard) -> dict[str, Any]:
    return {"id": scorecard.public_id, **{name: getattr(scorecard, name) for name in (
        "name", "segment", "active", "red_below", "green_from", "window_days", "drop_points", "drop_days",
        "version", "created_at", "updated_at")},
        "components": [{"kind": c.kind, "weight": c.weight, "bad": c.bad, "good": c.good}
                       for c in scorecard.components.all()]}


def _components(items: Any) -> list[dict[str, Any]] | None:
    if items is None:
        return None
    return [{"kind": str(item.kind.value if hasattr(item.kind, "value") else item.kind), "weight": item.weight,
             "bad": item.bad, "good": item.good} for item in items]


@router.get("/scorecards", response=ScorecardPage, operation_id="health_scorecard_list")
def scorecard_list(request: AuthedRequest, limit: int | None = None, cursor: str | None = None) -> dict[str, Any]:
    actor = api_actor(request, scope=READ)
    page = paginate(selectors.scorecard_list(actor=actor), ordering=("id",), limit=limit, cursor=cursor)
    return {"items": [_scorecard_out(item) for item in page.items], "next_cursor": page.next_cursor}


@router.post("/scorecards", response={201: ScorecardOut}, operation_id="health_scorecard_create")
def scorecard_create(request: AuthedRequest, payload: ScorecardIn) -> Status:
    """A scorecard for a segment. Weights summing to 0 are refused (field ``weights``)."""
    actor = api_actor(request, scope=ADMIN)
    data = payload.dict()
    components = _components(payload.components)
    if components is None:
        from tandem.health import logic

        components = [{"kind": kind, "weight": weight, "bad": bad, "good": good}
                      for kind, (weight, bad, good) in logic.DEFAULTS.items()]
    data.pop("components")
    data["segment"] = str(data["segment"].value if hasattr(data["segment"], "value") else data["segment"])
    scorecard = services.scorecard_create(actor=actor, components=components, **data)
    return Status(201, _scorecard_out(scorecard))


@router.get("/scorecards/{scorecard_id}", response=ScorecardOut, operation_id="health_scorecard_get")
def scorecard_get(request: AuthedRequest, scorecard_id: str) -> dict[str, Any]:
    actor = api_actor(request, scope=READ)
    return _scorecard_out(selectors.scorecard_get(actor=actor, public_id=scorecard_id))


@router.patch("/scorecards/{scorecard_id}", response=ScorecardOut, operation_id="health_scorecard_update")
def scorecard_update(request: AuthedRequest, scorecard_id: str, payload: ScorecardPatch) -> dict[str, Any]:
    actor = api_actor(request, scope=ADMIN)
    scorecard = selectors.scorecard_get(actor=actor, public_id=scorecard_id)
    changes = {key: value for key, value in payload.dict(exclude_unset=True).items() if value is not None}
    version = changes.pop("version", None)
    changes.pop("components", None)
    if "segment" in changes:
        changes["segment"] = str(getattr(changes["segment"], "value", changes["segment"]))
    updated = services.scorecard_update(actor=actor, scorecard=scorecard, version=version,
                                        components=_components(payload.components), **changes)
    return _scorecard_out(selectors.scorecard_get(actor=actor, public_id=updated.public_id))


@router.delete("/scorecards/{scorecard_id}", response={204: None}, operation_id="health_scorecard_delete")
def scorecard_delete(request: AuthedRequest, scorecard_id: str) -> Status:
    actor = api_actor(request, scope=ADMIN)
    services.scorecard_delete(actor=actor, scorecard=selectors.scorecard_get(actor=actor, public_id=scorecard_id))
    return Status(204, None)


@router.get("/playbook", response=PlaybookIO, operation_id="health_playbook_get")
def playbook_get(request: AuthedRequest) -> dict[str, Any]:
    """The risk playbook: the tasks created when an account is flagged code red."""
    actor = api_actor(request, scope=READ)
    return {"steps": [{"title": s.title, "role": s.role, "due_days": s.due_days, "description": s.description}
                      for s in selectors.playbook_list(actor=actor)]}


@router.put("/playbook", response=PlaybookIO, operation_id="health_playbook_replace")
def playbook_replace(request: AuthedRequest, payload: PlaybookIO) -> dict[str, Any]:
    actor = api_actor(request, scope=ADMIN)
    steps = services.playbook_replace(actor=actor, steps=[
        services.StepIn(title=s.title, role=str(getattr(s.role, "value", s.role)), due_days=s.due_days,
                        description=s.description) for s in payload.steps])
    return {"steps": [{"title": s.title, "role": s.role, "due_days": s.due_days, "description": s.description}
                      for s in steps]}


@router.post("/recompute", response={202: RecomputeOut}, operation_id="health_score_recompute_all")
def recompute_all(request: AuthedRequest) -> Status:
    """Recompute every account in the background."""
    actor = api_actor(request, scope=ADMIN)
    services.recompute_everything_request(actor=actor)
    return Status(202, {"queued": True})


# --- backtests -----------------------------------------------------------------------------------------------------


def _backtest_out(run: BacktestRun) -> dict[str, Any]:
    return {"id": run.public_id, "created_at": run.created_at, "horizon_days": run.horizon_days,
            "results": run.results}


@router.get("/backtests", response=BacktestPage, operation_id="health_backtest_list")
def backtest_list(request: AuthedRequest, limit: int | None = None, cursor: str | None = None) -> dict[str, Any]:
    """Backtest results, newest first: AUC, top-decile lift and calibration of the score and the model."""
    actor = api_actor(request, scope=READ)
    page = paginate(selectors.backtest_list(actor=actor), ordering=("-created_at", "-id"), limit=limit,
                    cursor=cursor)
    return {"items": [_backtest_out(run) for run in page.items], "next_cursor": page.next_cursor}


@router.post("/backtests", response={201: BacktestOut}, operation_id="health_backtest_create")
def backtest_create(request: AuthedRequest, payload: BacktestIn) -> Status:
    """Run the backtest now (it reads roll-ups and subscription history; seconds on a workspace's data)."""
    actor = api_actor(request, scope=ADMIN)
    run = backtest.backtest_run(actor=actor, horizon_days=payload.horizon_days, step_days=payload.step_days)
    return Status(201, _backtest_out(run))
