from __future__ import annotations

from django.conf import settings


def test_healthz_reports_the_database_and_the_job_queue(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"status": "ok", "vendor": "postgresql" if "postgresql" in
                                          settings.DATABASES["default"]["ENGINE"] else "sqlite"}
    assert body["checks"]["jobs"]["backend"] == ("RedisHuey" if settings.REDIS_URL else "SqliteHuey")
