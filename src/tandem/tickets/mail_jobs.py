"""Background jobs of support mail (listed in core/schedule.py)."""

from __future__ import annotations

from tandem.core.jobs import db_job
from tandem.tickets import imap, outbound


@db_job(retries=0)
def send_replies_job(row_ids: list[int]) -> None:
    """Mail these replies now (enqueued after the reply's transaction commits)."""
    outbound.send_due(row_ids=row_ids)


def sweep_replies_job() -> None:
    """Mail every due reply: retries whose backoff has passed, and rows whose job was lost."""
    while outbound.send_due(limit=100).sent == 100:
        continue


def fetch_mail_job() -> None:
    """Poll the support mailbox when one is configured (backing off while it is down) and process the queue."""
    imap.poll()
