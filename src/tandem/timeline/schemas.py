from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from tandem.timeline.choices import ActivityType, Direction


class Ref(Schema):
    id: str
    name: str


class FileRef(Schema):
    id: str
    name: str
    size: int


class ActivityOut(Schema):
    id: str
    account: Ref
    type: ActivityType
    direction: Direction
    occurred_at: datetime
    subject: str
    body: str = Field(description="Markdown source")
    body_html: str = Field(description="The body rendered to sanitized HTML")
    contacts: list[Ref]
    participants: list[Ref] = Field(description="Internal participants (users)")
    attachments: list[FileRef]
    created_by: Ref | None
    recorded_by_tandem: bool = Field(description="Stage changes, ticket and system events: not editable")
    source: dict[str, Any] | None = Field(description="The record a recorded entry is about: {type, id}")
    payload: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class ActivityIn(Schema):
    account: str = Field(description="Public id of the account")
    type: ActivityType = Field(default=ActivityType.NOTE,
                               description="call, email, meeting, note or chat (the others are recorded by Tandem)")
    direction: Direction = Direction.NONE
    occurred_at: datetime | None = Field(default=None, description="ISO 8601 with offset; now when left out")
    subject: str = Field(default="", max_length=300)
    body: str = Field(default="", max_length=100_000, description="Markdown")
    contacts: list[str] = Field(default_factory=list, max_length=100, description="Contact public ids")
    participants: list[str] = Field(default_factory=list, max_length=100, description="User public ids")
    attachments: list[str] = Field(default_factory=list, max_length=100,
                                   description="Public ids of files of the same account")


class ActivityPatch(Schema):
    type: ActivityType | None = None
    direction: Direction | None = None
    occurred_at: datetime | None = None
    subject: str | None = Field(default=None, max_length=300)
    body: str | None = Field(default=None, max_length=100_000)
    contacts: list[str] | None = Field(default=None, max_length=100)
    participants: list[str] | None = Field(default=None, max_length=100)
    attachments: list[str] | None = Field(default=None, max_length=100)


class ActivityPage(Schema):
    items: list[ActivityOut]
    next_cursor: str | None
