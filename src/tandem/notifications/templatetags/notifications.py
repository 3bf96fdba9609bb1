"""``{% follow_state record as state %}`` for the follow button include."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from tandem.notifications import records, selectors

register = template.Library()


@dataclass(frozen=True)
class FollowState:
    following: bool
    object_type: str
    object_id: str


@register.simple_tag(takes_context=True)
def follow_state(context: template.Context, record: Any) -> FollowState | None:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    try:
        object_type = records.record_type(record)
    except LookupError:
        return None
    return FollowState(following=selectors.is_following(user=user, obj=record), object_type=object_type,
                       object_id=record.public_id)


@register.simple_tag
def notification_poll_seconds() -> int:
    """How often the top-bar bell asks for the unread count (TANDEM_NOTIFY_POLL_SECONDS)."""
    from django.conf import settings

    return int(settings.NOTIFY_POLL_SECONDS)
