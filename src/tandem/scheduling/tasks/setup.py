"""Start-up registrations of tasks: the access resource, the Account 360 and contact sections, the "My day"
cards and the notification kind (called from SchedulingConfig.ready)."""

from __future__ import annotations


def register() -> None:
    from django.utils.translation import gettext_lazy as _

    from tandem.notifications.choices import Channel
    from tandem.notifications.kinds import register_kind
    from tandem.scheduling.tasks import access, sections

    access.register()
    sections.register()
    register_kind("task_due", _("Tasks due"), (Channel.IN_APP, Channel.EMAIL))
