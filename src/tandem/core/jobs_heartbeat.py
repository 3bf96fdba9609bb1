"""A tiny periodic job whose only purpose is to prove a job consumer is alive."""

from __future__ import annotations

import time

HEARTBEAT_KEY = "tandem:consumer-heartbeat"


def record_heartbeat_job() -> None:
    from huey.contrib.djhuey import HUEY

    HUEY.put(HEARTBEAT_KEY, time.time())


def last_heartbeat() -> float | None:
    from huey.contrib.djhuey import HUEY

    value = HUEY.get(HEARTBEAT_KEY, peek=True)
    return float(value) if value is not None else None
