"""Background jobs of tasks."""

from __future__ import annotations

from tandem.scheduling.tasks import services


def send_task_reminders_job() -> None:
    """Remind people of tasks whose reminder time has come (each exactly once, even with several workers)."""
    services.task_reminders_send()
