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
    history = selectors.account_history(actor=actor, account=account, days=90)
    chart = None
    if history:
        scorecard = current.snapshot.scorecard if current else None
        chart = logic.line_chart([(row.snapshot.day, row.snapshot.score, row.snapshot.color) for row in history],
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
    """Scores of days the kept account has no score for, overrides and code-red flags move (an open flag of the
    duplicate is resolved when the kept account has one open: one alert per account); the duplicate's churn
    prediction goes (the kept account's is refreshed nightly). The kept account is marked for a recompute over
    the merged data."""
    from django.utils import timezone
    from django.utils.translation import gettext

    from tandem.health.models import ChurnPrediction, HealthOverride, HealthSnapshot, RiskFlag
    from tandem.usage.services import mark_accounts_dirty

    kept_days = HealthSnapshot.objects.filter(account=kept).values("day")
    HealthSnapshot.objects.filter(account=removed, day__in=kept_days).delete()
    moved = HealthSnapshot.objects.filter(account=removed).update(account=kept)
    if RiskFlag.objects.filter(account=kept, resolved_at__isnull=True).exists():
        RiskFlag.objects.filter(account=removed, resolved_at__isnull=True).update(
            resolved_at=timezone.now(),
            resolution=gettext("Merged into %(name)s (%(id)s), which is flagged.") % {"name": kept.name,
                                                                                     "id": kept.public_id})
    moved += RiskFlag.objects.filter(account=removed).update(account=kept)
    moved += HealthOverride.objects.filter(account=removed).update(account=kept)
    ChurnPrediction.objects.filter(account=removed).delete()
    mark_accounts_dirty(account_ids=[kept.pk])
    return int(moved)


def register() -> None:
    from tandem.accounts.merge import register_merge_step

    register_merge_step("health", _merge_health)
    register_section(AccountSection(key="health", order=15, template="health/account_section.html",
                                    context=_context))
