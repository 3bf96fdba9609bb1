"""Health jobs: recompute the accounts marked dirty (every minute, and once more half a minute later, so a new
event's score is at most about 30 s behind), the nightly full pass, and the nightly churn predictions. All are
idempotent: a recompute rewrites the day's snapshot and never flags an account twice."""

from __future__ import annotations

import logging

from django.utils import timezone

from tandem.core.jobs import db_job
from tandem.health import backtest, recompute

logger = logging.getLogger(__name__)
FOLLOW_UP_SECONDS = 30


def _recompute_dirty() -> None:
    result = recompute.recompute_dirty()
    if result.accounts:
        lag = (timezone.now() - result.oldest_mark).total_seconds() if result.oldest_mark else 0.0
        logger.info("health: recomputed %d dirty accounts in %.2f s (oldest mark %.1f s old), %d flagged code red",
                    result.accounts, result.seconds, lag, len(result.flagged))


@db_job(retries=1, retry_delay=5)
def recompute_dirty_health_task() -> None:
    """A one-off run of the dirty recompute (the minute job's follow-up)."""
    _recompute_dirty()


def recompute_dirty_health_job() -> None:
    """Every minute: recompute the accounts marked dirty, and schedule one more run half a minute later."""
    _recompute_dirty()
    recompute_dirty_health_task.schedule(delay=FOLLOW_UP_SECONDS)


@db_job(retries=0)
def recompute_all_health_job() -> None:
    """Every account (nightly, and when an administrator asks for it)."""
    result = recompute.recompute_all()
    logger.info("health: full pass over %d accounts in %.2f s, %d flagged code red", result.accounts,
                result.seconds, len(result.flagged))


def nightly_health_job() -> None:
    """The nightly full pass, then fresh churn predictions for every account."""
    recompute_all_health_job.call_local()
    backtest.predictions_refresh()
