"""/healthz: what load balancers and operators see, without logging in."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from huey.contrib.djhuey import HUEY

from tandem.api.health import HEARTBEAT_STALE_SECONDS
from tandem.core.jobs_heartbeat import HEARTBEAT_KEY, record_heartbeat_job


@pytest.fixture
def no_heartbeat():
    HUEY.get(HEARTBEAT_KEY)  # reading without peek removes it
    yield
    HUEY.get(HEARTBEAT_KEY)


def test_healthz_reports_the_database_and_the_job_queue_to_anyone(client, db, no_heartbeat):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    vendor = "postgresql" if "postgresql" in settings.DATABASES["default"]["ENGINE"] else "sqlite"
    assert body["checks"]["database"] == {"status": "ok", "vendor": vendor}
    jobs = body["checks"]["jobs"]
    assert jobs["status"] == "ok"
    assert jobs["backend"] == ("RedisHuey" if settings.REDIS_URL else "SqliteHuey")
    assert isinstance(jobs["pending"], int) and jobs["pending"] >= 0
    assert jobs["consumer"] == "unknown"


def test_healthz_says_the_consumer_is_ok_after_a_heartbeat_and_stale_when_it_is_old(client, db, no_heartbeat):
    record_heartbeat_job()
    assert client.get("/healthz").json()["checks"]["jobs"]["consumer"] == "ok"
    HUEY.put(HEARTBEAT_KEY, time.time() - HEARTBEAT_STALE_SECONDS - 1)
    response = client.get("/healthz")
    assert response.status_code == 200  # a stale consumer is worth a look, not a reason to drop the web node
    assert response.json()["checks"]["jobs"]["consumer"] == "stale"


def test_healthz_only_answers_get(client, db):
    assert client.post("/healthz").status_code == 405
