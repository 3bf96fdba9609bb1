"""Background jobs for meetings: reminders every minute, calendar syncs. Idempotent: a reminder is claimed
once per occurrence; a sync compares ETags and sequences before it writes."""

from __future__ import annotations

from tandem.core.jobs import db_job
from tandem.meetings import selectors, services, sync


def send_meeting_reminders_job() -> None:
    """Remind organisers and attendees of occurrences starting in their reminder time."""
    services.reminders_send()


def sync_calendars_job() -> None:
    """Sync every CalDAV calendar whose last sync is older than TANDEM_CALENDAR_SYNC_MINUTES."""
    sync.calendars_sync_due()


@db_job(retries=0)
def sync_calendar_job(calendar_account_id: int) -> None:
    """"Sync now" for one person's calendar."""
    account = selectors.calendar_account_by_id(calendar_account_id=calendar_account_id)
    if account is not None:
        sync.calendar_sync(calendar_account=account)
