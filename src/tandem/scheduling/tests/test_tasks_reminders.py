"""The reminder job reminds each task exactly once, even with two workers running it at the same moment (real
threads and connections; run on PostgreSQL too with DATABASE_URL)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from tandem.core.testing.factories import UserFactory
from tandem.notifications.models import Notification
from tandem.scheduling.models import Task
from tandem.scheduling.tasks import jobs, services


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_reminder_job_at_once_remind_each_task_once():
    from tandem.core.testing.fixtures import reseed_if_flushed

    reseed_if_flushed()
    HUEY.flush()
    people = [UserFactory(roles=["csm"]) for _ in range(3)]
    soon = timezone.now() + datetime.timedelta(minutes=30)
    for index in range(12):
        person = people[index % 3]
        services.task_create(actor=person, title=f"Task {index}", due=soon, reminder_minutes=60)
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            jobs.send_task_reminders_job()
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert Notification.objects.filter(kind="task_due").count() == 12
    assert not Task.objects.filter(reminded_at__isnull=True).exists()
    # Even if the claim were lost (reminded_at cleared by hand), the event key keeps notify from repeating.
    Task.objects.update(reminded_at=None)
    jobs.send_task_reminders_job()
    assert Notification.objects.filter(kind="task_due").count() == 12
    HUEY.flush()
