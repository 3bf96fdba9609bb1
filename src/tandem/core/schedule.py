"""Every periodic job, in one list, with its cadence and the reason it exists.

Each entry names a function in an app's ``jobs.py``; ``register_periodic_jobs``
(called once at start-up) turns them into Huey periodic tasks.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from huey import crontab


@dataclass(frozen=True)
class PeriodicJob:
    path: str  # "tandem.<app>.jobs.<function>"
    cadence: dict[str, str]  # keyword arguments for huey.crontab
    why: str


PERIODIC_JOBS: list[PeriodicJob] = [
    PeriodicJob(
        path="tandem.identity.jobs.purge_login_attempts_job",
        cadence={"minute": "17", "hour": "3"},
        why="Login attempts older than the lockout window carry no information; keep the table small.",
    ),
    PeriodicJob(
        path="tandem.core.jobs_heartbeat.record_heartbeat_job",
        cadence={"minute": "*"},
        why="Lets /healthz report whether a job consumer is actually running.",
    ),
    PeriodicJob(
        path="tandem.notifications.jobs.sweep_outbox_job",
        cadence={"minute": "*"},
        why="Sends notification emails and chat messages whose retry time has come, or whose job a crashed "
            "worker lost: the outbox row is the durable record, the job only a prompt.",
    ),
    PeriodicJob(
        path="tandem.notifications.jobs.send_digests_job",
        cadence={"minute": "5"},
        why="Once an hour, sends the daily digest to everyone for whom it is TANDEM_DIGEST_HOUR locally.",
    ),
    PeriodicJob(
        path="tandem.meetings.jobs.send_meeting_reminders_job",
        cadence={"minute": "*"},
        why="Meeting reminders are due N minutes before each occurrence; a claim row per occurrence makes "
            "them fire once even with several workers.",
    ),
    PeriodicJob(
        path="tandem.meetings.jobs.sync_calendars_job",
        cadence={"minute": "*"},
        why="Two-way CalDAV sync: each calendar is synced when its last sync is older than "
            "TANDEM_CALENDAR_SYNC_MINUTES, so changes made in people's calendars come back.",
    ),
    PeriodicJob(
        path="tandem.scheduling.tasks.jobs.send_task_reminders_job",
        cadence={"minute": "*"},
        why="Reminds people of their tasks N minutes before due; a task is claimed atomically, so two workers "
            "never remind twice.",
    ),
    PeriodicJob(
        path="tandem.tickets.jobs.send_sla_alerts_job",
        cadence={"minute": "*"},
        why="SLA deadlines pass while nobody is looking: warn the assignee (or the group) the configured minutes "
            "before and notify at the breach; a unique claim row per ticket, target and kind makes it fire once.",
    ),
    PeriodicJob(
        path="tandem.tickets.mail_jobs.fetch_mail_job",
        cadence={"minute": "*"},
        why="Support mail becomes tickets: when TANDEM_SUPPORT_IMAP_URL is set, new mail is fetched (with "
            "backoff while the server is down) and the queue of stored raw mail is processed.",
    ),
    PeriodicJob(
        path="tandem.tickets.mail_jobs.sweep_replies_job",
        cadence={"minute": "*"},
        why="Replies to customers whose mail job was lost or whose attempt failed are sent again (the outbox "
            "row is the durable record).",
    ),
    PeriodicJob(
        path="tandem.renewals.jobs.run_renewals_job",
        cadence={"minute": "30", "hour": "2"},
        why="Contracts come within 90 days of their end every day: create their renewal opportunities (once per "
            "end date), open negotiations at 30 days and record renewals closed on the board.",
    ),
    PeriodicJob(
        path="tandem.health.jobs.recompute_dirty_health_job",
        cadence={"minute": "*"},
        why="Accounts with new events, tickets or subscription changes are marked dirty; recomputing them every "
            "minute (and once more half a minute later) keeps a score and its code-red alert within about 30 s "
            "of the data.",
    ),
    PeriodicJob(
        path="tandem.health.jobs.nightly_health_job",
        cadence={"minute": "35", "hour": "2"},
        why="Every account gets its daily snapshot (the history chart and the drop rule need one per day, and "
            "scores move with time alone: renewal dates approach, windows slide), then fresh churn predictions.",
    ),
    PeriodicJob(
        path="tandem.usage.jobs.ensure_event_partitions_job",
        cadence={"minute": "41", "hour": "*/6"},
        why="PostgreSQL: product-usage events go into monthly partitions, which must exist before their month "
            "starts (three months are kept ahead; the DEFAULT partition only catches strays).",
    ),
    PeriodicJob(
        path="tandem.usage.jobs.expire_events_job",
        cadence={"minute": "23", "hour": "4"},
        why="Raw events older than TANDEM_EVENTS_RETENTION_DAYS are dropped (whole partitions); the daily "
            "roll-ups that health scores read are kept.",
    ),
    PeriodicJob(
        path="tandem.contracts.jobs.roll_over_subscriptions_job",
        cadence={"minute": "45", "hour": "1"},
        why="Terms end every day: auto-renewing subscriptions renew for the same term, the others expire, so MRR "
            "drops on the right date (docs/revenue.md).",
    ),
]

_registered = False


def register_periodic_jobs() -> None:
    global _registered
    if _registered:
        return
    from huey.contrib.djhuey import HUEY

    for job in PERIODIC_JOBS:
        module_name, function_name = job.path.rsplit(".", 1)
        function = getattr(import_module(module_name), function_name)
        HUEY.periodic_task(crontab(**job.cadence), name=job.path)(function)
    _registered = True
