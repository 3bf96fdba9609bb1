"""The one way to hand work to background jobs.

Jobs are enqueued only after the surrounding transaction commits, so a job never
sees data that was rolled back and never runs before its data is visible.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import close_old_connections, connection, transaction


def enqueue_after_commit(job: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Schedule ``job(*args, **kwargs)`` on the job queue once the current transaction commits."""
    transaction.on_commit(lambda: job(*args, **kwargs))


def db_job(*task_args: Any, **task_kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
    """Declare a Huey task that uses the database.

    Like Huey's ``db_task`` it closes stale connections around each run in a consumer, but it leaves a
    connection alone while it is inside a transaction (a test's, or a caller's), so the same task can be
    executed from the real queue inside tests."""
    from huey.contrib.djhuey import HUEY

    def decorator(function: Callable[..., Any]) -> Any:
        @wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            managed = not connection.in_atomic_block
            if managed:
                close_old_connections()
            try:
                return function(*args, **kwargs)
            finally:
                if managed:
                    close_old_connections()

        return HUEY.task(*task_args, **task_kwargs)(run)

    return decorator
