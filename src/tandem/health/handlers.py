"""Domain-event subscriptions of the health app: a new ticket event or a subscription change on an account's
timeline marks the account for the next recompute (product events mark it during ingestion), in the publisher's
transaction, so the mark commits with the change."""

from __future__ import annotations

from typing import Any

from tandem.core.events import subscribe
from tandem.timeline.choices import ActivityType
from tandem.usage.services import mark_accounts_dirty


def mark_dirty_on_activity(*, actor: Any, activity: Any) -> None:
    event = (activity.payload or {}).get("event", "") if isinstance(activity.payload, dict) else ""
    if activity.type == ActivityType.TICKET_EVENT or str(event).startswith("subscription_"):
        mark_accounts_dirty(account_ids=[activity.account_id])


def register() -> None:
    subscribe("activity.created", mark_dirty_on_activity)
