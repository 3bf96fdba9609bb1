"""API shapes of the events endpoint. The request body is parsed and validated by hand (``logic``) for speed;
``EventBatchIn`` only documents it in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field


class EventIn(Schema):
    message_id: str = Field(max_length=100, description="Unique per account and timestamp; a resent event with "
                            "the same message_id and timestamp is stored once.")
    account: str = Field(description="The account's id (public id) or its external id.")
    user: str | None = Field(None, max_length=200, description="The customer's end-user id (optional).")
    event: str = Field(max_length=200, description="Event name, e.g. report.exported; email.* names are "
                       "reserved for marketing email.")
    timestamp: str = Field(description="ISO 8601; without an offset it is UTC.")
    properties: dict[str, Any] = Field(default_factory=dict)


class EventBatchIn(Schema):
    events: list[EventIn] = Field(max_length=1000)


class EventErrorOut(Schema):
    index: int
    field: str
    message: str


class EventDuplicateOut(Schema):
    index: int
    message_id: str
    duplicate_of: int


class EventBatchOut(Schema):
    received: int
    accepted: int
    stored: int
    already_stored: int
    errors: list[EventErrorOut]
    duplicates: list[EventDuplicateOut]
