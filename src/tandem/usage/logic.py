"""Validating product-usage events: plain Python over parsed JSON (no per-event model objects), so a batch of
1,000 events costs a few milliseconds. Pure: no database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

MAX_MESSAGE_ID = 100
MAX_EVENT_NAME = 200
MAX_USER_ID = 200
MAX_ACCOUNT_REF = 100
FIELDS = frozenset({"message_id", "account", "user", "event", "timestamp", "properties"})

# Marketing-email engagement arrives through the same path under these names (docs/usage-events.md).
RESERVED_EVENTS = {
    "email.sent": "a marketing email was sent to the user",
    "email.delivered": "it was delivered",
    "email.opened": "the user opened it",
    "email.clicked": "the user clicked a link in it",
    "email.bounced": "it bounced",
    "email.unsubscribed": "the user unsubscribed from marketing email",
}
RESERVED_PREFIX = "email."


@dataclass(frozen=True, slots=True)
class ParsedEvent:
    index: int
    message_id: str
    account: str  # public id or external id, resolved by the service
    user: str
    event: str
    timestamp: dt.datetime  # aware, UTC
    properties: Any  # the parsed object, serialised once when written


@dataclass(frozen=True)
class EventError:
    index: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class Duplicate:
    index: int
    message_id: str
    duplicate_of: int

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "message_id": self.message_id, "duplicate_of": self.duplicate_of}


@dataclass(frozen=True)
class Checked:
    events: list[ParsedEvent]
    errors: list[EventError]
    duplicates: list[Duplicate]


def parse_timestamp(value: Any) -> dt.datetime | None:
    """ISO 8601 (``2026-05-01T10:00:00Z``, with offset or naive = UTC) -> aware UTC datetime, else None."""
    if not isinstance(value, str) or not 10 <= len(value) <= 40:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _text(item: dict[str, Any], key: str, limit: int, index: int, errors: list[EventError], *,
          required: bool) -> str | None:
    value = item.get(key)
    if value is None or value == "":
        if required:
            errors.append(EventError(index, key, f"'{key}' is required."))
            return None
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        errors.append(EventError(index, key, f"'{key}' must be a string."))
        return None
    if len(value) > limit:
        errors.append(EventError(index, key, f"'{key}' is longer than {limit} characters."))
        return None
    if not value.isprintable():
        errors.append(EventError(index, key, f"'{key}' contains control characters."))
        return None
    return value


def check_events(items: list[Any], *, now: dt.datetime, max_past: dt.timedelta | None,
                 max_future: dt.timedelta) -> Checked:
    """Validate each event on its own: the valid ones are kept, every problem is reported with its index.
    A message id seen earlier in the same batch (same account) is reported as a duplicate and kept once."""
    events: list[ParsedEvent] = []
    errors: list[EventError] = []
    duplicates: list[Duplicate] = []
    seen: dict[tuple[str, str], int] = {}
    earliest = now - max_past if max_past is not None else None
    latest = now + max_future
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors.append(EventError(index, "", "Each event must be a JSON object."))
            continue
        before = len(errors)
        unknown = item.keys() - FIELDS
        if unknown:
            errors.append(EventError(index, sorted(unknown)[0], f"Unknown field '{sorted(unknown)[0]}'; an event "
                                     "has message_id, account, user, event, timestamp and properties."))
        # The common case (short printable strings) is checked inline; anything else takes the slow path,
        # which knows the error messages.
        message_id = item.get("message_id")
        if not (type(message_id) is str and 0 < len(message_id) <= MAX_MESSAGE_ID and message_id.isprintable()):
            message_id = _text(item, "message_id", MAX_MESSAGE_ID, index, errors, required=True)
        account = item.get("account")
        if not (type(account) is str and 0 < len(account) <= MAX_ACCOUNT_REF and account.isprintable()):
            account = _text(item, "account", MAX_ACCOUNT_REF, index, errors, required=True)
        user = item.get("user")
        if not (type(user) is str and len(user) <= MAX_USER_ID and user.isprintable()):
            user = _text(item, "user", MAX_USER_ID, index, errors, required=False)
        name = item.get("event")
        if not (type(name) is str and 0 < len(name) <= MAX_EVENT_NAME and name.isprintable()):
            name = _text(item, "event", MAX_EVENT_NAME, index, errors, required=True)
        if name and name.startswith(RESERVED_PREFIX) and name not in RESERVED_EVENTS:
            errors.append(EventError(index, "event", f"'{RESERVED_PREFIX}*' names are reserved for marketing "
                                     f"email; use one of {', '.join(RESERVED_EVENTS)}."))
        raw_time = item.get("timestamp")
        timestamp = parse_timestamp(raw_time)
        if raw_time is None:
            errors.append(EventError(index, "timestamp", "'timestamp' is required."))
        elif timestamp is None:
            errors.append(EventError(index, "timestamp",
                                     "'timestamp' must be an ISO 8601 date and time, e.g. 2026-05-01T10:00:00Z."))
        elif earliest is not None and timestamp < earliest:
            errors.append(EventError(index, "timestamp", f"'timestamp' is more than {max_past.days} days in the "  # type: ignore[union-attr]
                                     "past; older history goes through `tandem import events`."))
        elif timestamp > latest:
            errors.append(EventError(index, "timestamp", f"'timestamp' is more than "
                                     f"{int(max_future.total_seconds() // 60)} minutes in the future."))
        properties = item.get("properties")
        if properties is None:
            properties = {}
        elif not isinstance(properties, dict):
            errors.append(EventError(index, "properties", "'properties' must be a JSON object."))
        if len(errors) > before:
            continue
        assert message_id and account and name and timestamp is not None and user is not None
        key = (account, message_id)
        first = seen.get(key)
        if first is not None:
            duplicates.append(Duplicate(index, message_id, first))
            continue
        seen[key] = index
        events.append(ParsedEvent(index, message_id, account, user, name, timestamp, properties))
    return Checked(events, errors, duplicates)


def utc_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(dt.UTC).date() if moment.tzinfo else moment.date()
