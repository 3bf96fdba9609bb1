"""Notification kinds of the health app (registered at start-up)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tandem.notifications.choices import Channel
from tandem.notifications.kinds import register_kind


def register() -> None:
    register_kind("health_code_red", _("Code red on my accounts"), (Channel.IN_APP, Channel.EMAIL))
