"""Jobs go through the real configured queue (SqliteHuey by default, RedisHuey with REDIS_URL)."""

from __future__ import annotations

import pytest
from django.db import transaction
from huey.contrib.djhuey import HUEY

from tandem.core.jobs import enqueue_after_commit
from tandem.core.schedule import PERIODIC_JOBS

executed: list[str] = []


@HUEY.task(name="tests.record_job")
def record_job(value: str) -> str:
    executed.append(value)
    return value.upper()


@pytest.fixture(autouse=True)
def empty_queue():
    HUEY.flush()
    executed.clear()
    yield
    HUEY.flush()


def run_one_job() -> object:
    """Take the next job off the real queue and execute it, as a consumer would."""
    task = HUEY.dequeue()
    assert task is not None, "the queue was empty"
    return HUEY.execute(task)


def test_a_job_is_enqueued_only_after_the_transaction_commits(transactional_db):
    with transaction.atomic():
        enqueue_after_commit(record_job, "hello")
        assert HUEY.pending_count() == 0
    assert HUEY.pending_count() == 1
    assert run_one_job() == "HELLO"
    assert executed == ["hello"]


def test_a_job_from_a_rolled_back_transaction_is_never_enqueued(transactional_db):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_after_commit(record_job, "lost")
        raise RuntimeError("boom")
    assert HUEY.pending_count() == 0
    assert executed == []


def test_the_queue_backend_follows_the_environment(settings):
    expected = "RedisHuey" if settings.REDIS_URL else "SqliteHuey"
    assert type(HUEY).__name__ == expected


def test_every_periodic_job_is_registered_with_a_reason():
    registered = {task.name for task in HUEY._registry.periodic_tasks}
    for job in PERIODIC_JOBS:
        assert job.path in registered
        assert len(job.why) > 20
