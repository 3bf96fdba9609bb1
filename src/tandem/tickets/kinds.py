"""Notification kinds of tickets (registered at start-up)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tandem.notifications.choices import Channel
from tandem.notifications.kinds import register_kind


def register() -> None:
    register_kind("ticket_assigned", _("Tickets assigned to me"), (Channel.IN_APP, Channel.EMAIL))
    register_kind("ticket_escalated", _("Tickets escalated to my group"), (Channel.IN_APP, Channel.EMAIL))
    register_kind("ticket_account_question", _("Setup and billing tickets of my accounts"),
                  (Channel.IN_APP, Channel.EMAIL))
    register_kind("ticket_sla", _("SLA warnings and breaches of my tickets"), (Channel.IN_APP, Channel.EMAIL))
