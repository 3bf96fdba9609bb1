"""Templates other apps show under every activity in a feed (comments, later tasks), registered at start-up:

    register_activity_extra("collaboration/activity_comments.html")

Each is rendered with the feed's context plus ``activity``; keep them cheap (load details lazily with htmx)."""

from __future__ import annotations

_EXTRAS: list[str] = []


def register_activity_extra(template: str) -> None:
    if template not in _EXTRAS:
        _EXTRAS.append(template)


def activity_extras() -> tuple[str, ...]:
    return tuple(_EXTRAS)
