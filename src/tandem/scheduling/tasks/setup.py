"""Start-up registrations of tasks: the access resource, the Account 360 section, the home card and the
notification kind (called from SchedulingConfig.ready)."""

from __future__ import annotations


def register() -> None:
    from tandem.scheduling.tasks import access

    access.register()
