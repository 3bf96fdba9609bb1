"""Periodic jobs for product usage: create the coming months' event partitions ahead, and expire raw events
older than TANDEM_EVENTS_RETENTION_DAYS (the daily roll-ups stay). Both are idempotent."""

from __future__ import annotations

import logging

from django.conf import settings

from tandem.usage import partitions, services

logger = logging.getLogger(__name__)


def ensure_event_partitions_job() -> None:
    """PostgreSQL: the monthly partitions from TANDEM_EVENTS_MAX_PAST_DAYS ago to three months ahead exist."""
    created = partitions.ensure_current_partitions(past_days=settings.EVENTS_MAX_PAST_DAYS)
    if created:
        logger.info("created event partitions %s", ", ".join(created))


def expire_events_job() -> None:
    """Delete raw events (whole partitions on PostgreSQL) older than the retention period."""
    result = services.events_expire()
    if any(result.values()):
        logger.info("expired product-usage events: %s", result)
