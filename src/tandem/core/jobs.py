"""The one way to hand work to background jobs.

Jobs are enqueued only after the surrounding transaction commits, so a job never
sees data that was rolled back and never runs before its data is visible.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction


def enqueue_after_commit(job: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Schedule ``job(*args, **kwargs)`` on the job queue once the current transaction commits."""
    transaction.on_commit(lambda: job(*args, **kwargs))
