"""Background jobs for notification delivery. All are idempotent: a delivered outbox row is never sent again."""

from __future__ import annotations

from tandem.core.jobs import db_job
from tandem.notifications import services


@db_job(retries=0)
def deliver_notifications_job(row_ids: list[int]) -> None:
    """Send these outbox rows now (enqueued after the notifying transaction commits)."""
    services.outbox_deliver(row_ids=row_ids)


def sweep_outbox_job() -> None:
    """Send every due outbox row: retries whose backoff has passed, and rows whose job was lost."""
    while services.outbox_deliver(limit=200).delivered == 200:
        continue


def send_digests_job() -> None:
    """Queue the daily digest of everyone whose local digest hour it is, then send them."""
    if services.digest_send():
        sweep_outbox_job()
