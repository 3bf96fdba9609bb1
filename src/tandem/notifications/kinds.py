"""The registry of notification kinds. Apps add their own at start-up (AppConfig.ready):

    register_kind("ticket_escalated", _("Ticket escalated"), default_channels=("in_app", "email"))

A person's preference for a kind overrides its default channels."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from tandem.notifications.choices import Channel


@dataclass(frozen=True)
class Kind:
    code: str
    label: Any  # a lazily translated string
    default_channels: frozenset[str]


_KINDS: dict[str, Kind] = {}


def register_kind(code: str, label: Any, default_channels: Iterable[str] = (Channel.IN_APP,)) -> Kind:
    """Add a kind (idempotent: registering the same code again replaces its label and defaults)."""
    channels = frozenset(str(channel) for channel in default_channels)
    unknown = channels - set(Channel.values)
    if unknown:
        raise ValueError(f"Unknown channels for kind {code!r}: {', '.join(sorted(unknown))}")
    kind = Kind(code=code, label=label, default_channels=channels)
    _KINDS[code] = kind
    return kind


def get_kind(code: str) -> Kind:
    try:
        return _KINDS[code]
    except KeyError:
        raise LookupError(f"Unknown notification kind {code!r}; register it first.") from None


def all_kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.code)


def register_builtin_kinds() -> None:
    register_kind("mention", _("Mentions of me"), (Channel.IN_APP, Channel.EMAIL))
    register_kind("follow_activity", _("Activity on records I follow"), (Channel.IN_APP, Channel.DIGEST))
    register_kind("handoff", _("Handoffs to or from me"), (Channel.IN_APP, Channel.EMAIL))
    register_kind("task_due", _("Tasks due"), (Channel.IN_APP, Channel.EMAIL))
    register_kind("meeting_reminder", _("Meeting reminders"), (Channel.IN_APP, Channel.EMAIL))
    register_kind("system", _("System messages"), (Channel.IN_APP,))
