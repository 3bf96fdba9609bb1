"""The entry point of a parallel import's child processes.

Children start with 'spawn' (a fresh interpreter: forking a process that runs job threads is unsafe), so this
module imports nothing from Django at import time: the child sets Django up, points it at the parent's database
(a test run's is not the configured one), then runs its share through the services."""

from __future__ import annotations

import os
from typing import Any


def share_worker(job_pk: int, actor_pk: int | None, index: int, count: int, database_name: str) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.conf.settings")
    import django

    django.setup()
    from django.db import connections

    connections["default"].settings_dict["NAME"] = database_name
    from tandem.access.decide import SYSTEM
    from tandem.identity.models import User
    from tandem.transfer import services
    from tandem.transfer.models import ImportJob

    try:
        job = ImportJob.objects.get(pk=job_pk)
        actor = SYSTEM if actor_pk is None else User.objects.get(pk=actor_pk)
        return services.run_share(actor=actor, job=job, index=index, count=count)
    finally:
        connections.close_all()
