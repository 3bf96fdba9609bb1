"""Registrations of the health app: the renewals list's health column, and domain-event subscriptions — a new
ticket event or a subscription change on an account's timeline marks the account for the next recompute (product
events mark it during ingestion), in the publisher's transaction, so the mark commits with the change."""

from __future__ import annotations

from typing import Any

from tandem.core.events import subscribe
from tandem.timeline.choices import ActivityType
from tandem.usage.services import mark_accounts_dirty


def mark_dirty_on_activity(*, actor: Any, activity: Any) -> None:
    event = (activity.payload or {}).get("event", "") if isinstance(activity.payload, dict) else ""
    if activity.type == ActivityType.TICKET_EVENT or str(event).startswith("subscription_"):
        mark_accounts_dirty(account_ids=[activity.account_id])


def renewals_health_column(account_ids: list[int]) -> dict[int, Any]:
    """The renewals list's health column: the latest score and colour (the list shows only visible accounts)."""
    from tandem.health.choices import Color
    from tandem.health.selectors import latest_scores
    from tandem.renewals.health import HealthBadge

    return {account_id: HealthBadge(label=f"{badge.score} · {Color(badge.color).label}", tone=badge.color)
            for account_id, badge in latest_scores(account_ids=account_ids).items()}


def register() -> None:
    from tandem.renewals.health import register_health_provider

    subscribe("activity.created", mark_dirty_on_activity)
    register_health_provider(renewals_health_column)
