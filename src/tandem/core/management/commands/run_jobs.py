"""`run_jobs`: the Huey job consumer with every app's ``jobs.py`` registered.

Huey's own ``run_huey`` only imports ``tasks.py`` modules; our jobs live in ``jobs.py`` (docs/architecture.md),
so a plain ``run_huey`` consumer would not know them and would drop their messages. ``tandem serve`` and
``tandem worker`` run this command."""

from __future__ import annotations

from typing import Any

from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey.management.commands.run_huey import Command as RunHueyCommand


class Command(RunHueyCommand):
    help = "Run the background-job consumer with every app's jobs.py loaded"

    def handle(self, *args: Any, **options: Any) -> None:
        autodiscover_modules("jobs")
        super().handle(*args, **options)
