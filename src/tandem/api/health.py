"""GET /healthz: database and job-queue status for load balancers and operators."""

from __future__ import annotations

import time

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from tandem.core.jobs_heartbeat import last_heartbeat

HEARTBEAT_STALE_SECONDS = 180


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, dict[str, object]] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"status": "ok", "vendor": connection.vendor}
    except Exception:  # noqa: BLE001 - any failure means "down"; details stay in the logs
        checks["database"] = {"status": "error"}
    try:
        from huey.contrib.djhuey import HUEY

        pending = HUEY.pending_count()
        beat = last_heartbeat()
        consumer = "unknown" if beat is None else (
            "ok" if time.time() - beat < HEARTBEAT_STALE_SECONDS else "stale"
        )
        checks["jobs"] = {"status": "ok", "backend": type(HUEY).__name__, "pending": pending,
                          "consumer": consumer}
    except Exception:  # noqa: BLE001
        checks["jobs"] = {"status": "error"}
    healthy = all(check["status"] == "ok" for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks},
                        status=200 if healthy else 503)
