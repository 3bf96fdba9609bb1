from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema


class AuditEntryOut(Schema):
    at: datetime
    actor: str
    action: str
    object_type: str | None
    object_id: str | None
    object: str
    summary: str
    changes: dict[str, Any]


class AuditPage(Schema):
    items: list[AuditEntryOut]
    next_cursor: str | None
