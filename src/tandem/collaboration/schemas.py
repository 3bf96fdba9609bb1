from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field


class Ref(Schema):
    id: str
    name: str


class CommentOut(Schema):
    id: str
    object_type: str = Field(description="account, contact, activity, … (the commentable record's type)")
    object_id: str
    parent: str | None = Field(description="The comment this one replies to")
    author: Ref | None
    body: str = Field(description="Markdown; mentions are written @[Full Name](user-id)")
    body_html: str = Field(description="Sanitised HTML")
    mentions: list[Ref]
    url: str = Field(description="Link to the comment in the UI")
    created_at: datetime
    updated_at: datetime
    edited_at: datetime | None


class CommentIn(Schema):
    object_type: str = Field(default="", max_length=40, description="account, contact, activity, …")
    object_id: str = Field(default="", max_length=40, description="Public id of the record")
    body: str = Field(max_length=20_000, description="Markdown; mention people as @[Full Name](user-id)")
    parent: str | None = Field(default=None, max_length=40, description="Public id of the comment to reply to")


class CommentPatch(Schema):
    body: str | None = Field(default=None, max_length=20_000)


class CommentPage(Schema):
    items: list[CommentOut]
    next_cursor: str | None


class ChecklistItemOut(Schema):
    index: int
    label: str
    done: bool
    done_by: str | None = Field(description="Public id of the user who ticked it")
    done_at: datetime | None


class HandoffOut(Schema):
    id: str
    account: Ref
    from_user: Ref
    from_role: str
    to_user: Ref
    to_role: str
    template: str | None
    checklist: list[ChecklistItemOut]
    note: str
    assign_seat: bool = Field(description="The receiver gets the to_role seat on the account team when accepting")
    status: str = Field(description="pending, accepted, declined or cancelled")
    decline_reason: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


class HandoffIn(Schema):
    account: str = Field(max_length=40, description="Public id of the account")
    to_user: str = Field(default="", max_length=40, description="Public id of the receiver")
    to_role: str = Field(default="", max_length=40, description="Role code of the receiver, e.g. csm")
    from_role: str = Field(default="", max_length=40, description="Role code the sender hands off from, e.g. ae")
    note: str = Field(default="", max_length=5_000)
    assign_seat: bool = True


class ChecklistTick(Schema):
    index: int = Field(ge=0, le=1000)
    done: bool


class HandoffPatch(Schema):
    checklist: list[ChecklistTick] | None = Field(default=None, max_length=100)


class HandoffDeclineIn(Schema):
    reason: str = Field(default="", max_length=2_000)


class HandoffPage(Schema):
    items: list[HandoffOut]
    next_cursor: str | None


class HandoffTemplateOut(Schema):
    id: str
    from_role: str
    to_role: str
    name: str
    description: str
    checklist: list[str]
    is_active: bool


class HandoffTemplateIn(Schema):
    from_role: str = Field(max_length=40)
    to_role: str = Field(default="", max_length=40)
    name: str = Field(default="", max_length=150)
    description: str = Field(default="", max_length=2_000)
    checklist: list[str] = Field(default_factory=list, max_length=30)
    is_active: bool = True


class HandoffTemplatePatch(Schema):
    name: str | None = Field(default=None, max_length=150)
    description: str | None = Field(default=None, max_length=2_000)
    checklist: list[str] | None = Field(default=None, max_length=30)
    is_active: bool | None = None


class HandoffTemplatePage(Schema):
    items: list[HandoffTemplateOut]
    next_cursor: str | None
