"""Cursor (keyset) pagination: ``?limit=&cursor=`` → ``{"items": [...], "next_cursor": ...}``.

The cursor encodes the sort key of the last row returned, so deep pages cost the
same as the first and rows inserted meanwhile are neither skipped nor repeated.
"""

from __future__ import annotations

import base64
import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from tandem.core.exceptions import ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: str | None


def _encode(values: Sequence[Any]) -> str:
    plain = [value.isoformat() if isinstance(value, datetime.datetime | datetime.date) else value
             for value in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _decode(cursor: str, size: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed("Invalid cursor.", errors={"cursor": ["Invalid cursor."]}) from None
    if not isinstance(values, list) or len(values) != size:
        raise ValidationFailed("Invalid cursor.", errors={"cursor": ["Invalid cursor."]})
    return values


def _after(ordering: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows strictly after ``values`` in ``ordering`` (e.g. ["name", "id"] or ["-created_at", "-id"])."""
    condition = Q()
    for index in range(len(ordering) - 1, -1, -1):
        field = ordering[index].lstrip("-")
        lookup = "lt" if ordering[index].startswith("-") else "gt"
        step = Q(**{f"{field}__{lookup}": values[index]})
        if index < len(ordering) - 1:
            step = step | (Q(**{field: values[index]}) & condition)
        condition = step
    # The same rows, plus a bound on the leading column alone: an index on the ordering can then start its scan
    # at the cursor instead of reading every row before it (PostgreSQL does not derive it from the OR).
    first = ordering[0].lstrip("-")
    return Q(**{f"{first}__{'lte' if ordering[0].startswith('-') else 'gte'}": values[0]}) & condition


def paginate(queryset: QuerySet, *, ordering: Sequence[str], limit: int | None, cursor: str | None) -> Page:
    """One page of ``queryset`` in ``ordering``; the last ordering field must be unique (e.g. id)."""
    size = DEFAULT_LIMIT if limit is None else limit
    if size < 1 or size > MAX_LIMIT:
        raise ValidationFailed(f"limit must be between 1 and {MAX_LIMIT}.",
                               errors={"limit": [f"Must be between 1 and {MAX_LIMIT}."]})
    queryset = queryset.order_by(*ordering)
    if cursor:
        queryset = queryset.filter(_after(ordering, _decode(cursor, len(ordering))))
    rows = list(queryset[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = _encode([_attribute(last, field.lstrip("-")) for field in ordering])
    return Page(items=rows, next_cursor=next_cursor)


def _attribute(obj: Any, path: str) -> Any:
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj
