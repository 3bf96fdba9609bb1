"""Health jobs: recompute the accounts marked dirty (every minute, and again 15, 30 and 45 s into the minute, so a
new event waits at most about 15 s for a run; each run works until no dirty account is left), the nightly full
pass, and the nightly churn predictions. All are idempotent: a recompute rewrites the day's snapshot and never flags
an account twice."""

from __future__ import annotations

import logging

from django.utils import timezone

from tandem.core.jobs import db_job
from tandem.health import backtest, recompute

logger = logging.getLogger(__name__)
FOLLOW_UPS_SECONDS = (15, 30, 45)


def _recompute_dirty() -> None:
    result = recompute.recompute_dirty()
    if result.accounts:
        lag = (timezone.now() - result.oldest_mark).total_seconds() if result.oldest_mark else 0.0
        logger.info("health: recomputed %d dirty accounts in %.2f s (oldest mark %.1f s old), %d flagged code red",
                    result.accounts, result.seconds, lag, len(result.flagged))


@db_job(retries=1, retry_delay=5)
def recompute_dirty_health_task() -> None:
    """A one-off run of the dirty recompute (the minute job's follow-ups)."""
    _recompute_dirty()


def recompute_dirty_health_job() -> None:
    """Every minute: schedule the runs at 15, 30 and 45 s, then recompute the accounts marked dirty now. Runs that
    overlap (a large backlog) claim different accounts; a crashed run's claim is lost only for that minute's
    scores — the nightly full pass recomputes every account."""
    for delay in FOLLOW_UPS_SECONDS:
        recompute_dirty_health_task.schedule(delay=delay)
    _recompute_dirty()


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
