"""In-process domain events: a lower app announces what happened, higher apps listen without being imported.

    publish("account.stage_changed", actor=..., account=..., change=...)   # in accounts, inside its transaction
    subscribe("account.stage_changed", record_on_timeline)                 # in timeline's AppConfig.ready

Handlers run synchronously, in the publisher's transaction and in subscription order, so what they write
(a timeline entry, an outbox row for a notification) commits or rolls back with the change itself. Slow work
(email, webhooks) belongs in a job the handler enqueues through an outbox row, never in the handler. A handler's
exception propagates: the change fails rather than half-happening. Every event name and its payload is listed in
EVENTS so publishers and subscribers agree."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

Handler = Callable[..., None]

# event name -> the keyword arguments its payload carries (every event also carries ``actor``)
EVENTS: dict[str, tuple[str, ...]] = {
    "account.created": ("account",),
    "account.stage_changed": ("account", "change"),
    "account.team_changed": ("account", "change"),
    "contact.created": ("contact",),
    "contact.account_changed": ("contact", "change"),
}

_SUBSCRIBERS: dict[str, list[Handler]] = defaultdict(list)


def declare(name: str, payload: tuple[str, ...]) -> None:
    """Add an event (higher apps announce their own events, e.g. ``ticket.created``)."""
    EVENTS.setdefault(name, payload)


def subscribe(name: str, handler: Handler) -> None:
    if name not in EVENTS:
        raise LookupError(f"Unknown event {name!r}; declare it first.")
    if handler not in _SUBSCRIBERS[name]:
        _SUBSCRIBERS[name].append(handler)


def publish(name: str, *, actor: Any, **payload: Any) -> None:
    expected = EVENTS.get(name)
    if expected is None:
        raise LookupError(f"Unknown event {name!r}.")
    missing = set(expected) - set(payload)
    if missing:
        raise TypeError(f"Event {name!r} lacks {', '.join(sorted(missing))}.")
    for handler in list(_SUBSCRIBERS[name]):
        handler(actor=actor, **payload)
