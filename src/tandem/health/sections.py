"""The "Health" section of the Account 360 page: the score with its explanation, the change since the day before
and what moved it, the 90-day history as a server-rendered SVG line chart, the override in force, code red, and
the churn model's prediction with its top drivers."""

from __future__ import annotations

from typing import Any

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts.sections import AccountSection, register_section
from tandem.health import logic, presentation, selectors
from tandem.health.forms import OverrideForm, ResolveForm


def _context(actor: Any, account: Any) -> dict[str, Any] | None:
    if not can(actor, Action.VIEW, resource="health"):
        return None
    current = selectors.account_health(actor=actor, account=account)
    series = selectors.account_score_series(actor=actor, account=account, days=90)
    chart = None
    if series:
        scorecard = current.snapshot.scorecard if current else None
        chart = logic.line_chart(series,
                                 red_below=scorecard.red_below if scorecard else 40,
                                 green_from=scorecard.green_from if scorecard else 70)
    flag = selectors.risk_flag_list(actor=actor).filter(account=account).first()
    prediction = selectors.prediction_of(actor=actor, account=account)
    return {
        "account": account,
        "health": current,
        "rows": presentation.component_rows(current) if current else [],
        "moved": presentation.contribution_rows(current) if current else [],
        "chart": chart,
        "override": selectors.override_in_force(account=account),
        "flag": flag,
        "prediction": prediction,
        "drivers": presentation.driver_rows(prediction) if prediction else [],
        "can_change": can(actor, Action.CHANGE, resource="health"),
        "override_form": OverrideForm(),
        "resolve_form": ResolveForm(),
    }


def _merge_health(actor: Any, kept: Any, removed: Any) -> int:
    from tandem.health.services import health_move_account

    return health_move_account(kept=kept, removed=removed)


def register() -> None:
    from tandem.accounts.merge import register_merge_step

    register_merge_step("health", _merge_health)
    register_section(AccountSection(key="health", order=15, template="health/account_section.html",
                                    context=_context))
