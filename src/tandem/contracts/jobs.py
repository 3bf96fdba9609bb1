"""Background jobs of the contracts app. Idempotent: a subscription is only rolled over while its end date is in
the past, and each roll-over moves the end date or the status."""

from __future__ import annotations

from tandem.access.decide import SYSTEM
from tandem.contracts import selectors, services


def roll_over_subscriptions_job() -> None:
    """Renew auto-renewing subscriptions whose term ended, expire the others."""
    services.subscriptions_roll_over(actor=SYSTEM, on=selectors.today())
