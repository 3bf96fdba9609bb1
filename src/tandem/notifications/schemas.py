from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field


class PersonRef(Schema):
    id: str
    name: str


class NotificationOut(Schema):
    id: str
    kind: str
    title: str
    body: str
    url: str = Field(description="Path of the record's page in the web UI")
    source_type: str | None = Field(description="Resource of the record the notification is about, e.g. account")
    actor: PersonRef | None
    created_at: datetime
    read_at: datetime | None
    unread: bool


class NotificationPage(Schema):
    items: list[NotificationOut]
    next_cursor: str | None


class ReadAllOut(Schema):
    marked_read: int


class UnreadCountOut(Schema):
    unread: int


class KindPreferenceOut(Schema):
    kind: str
    label: str
    channels: list[str] = Field(description="Any of in_app, email, digest, chat")
    customised: bool = Field(description="False while the kind's default channels apply")


class KindPreferenceIn(Schema):
    kind: str = Field(max_length=40)
    channels: list[str] = Field(max_length=4, description="Any of in_app, email, digest, chat")


class PreferencesOut(Schema):
    kinds: list[KindPreferenceOut]
    chat_webhook: str | None = Field(description="Scheme and host of the saved chat webhook (the URL is secret)")


class PreferencesIn(Schema):
    kinds: list[KindPreferenceIn] = Field(default_factory=list, max_length=100)
    chat_webhook_url: str | None = Field(default=None, max_length=500,
                                         description="Slack-compatible incoming webhook; empty string removes it; "
                                                     "leave out to keep it")


class FollowIn(Schema):
    object_type: str = Field(max_length=40, description="Resource of the record, e.g. account or contact")
    object_id: str = Field(max_length=24, description="Public id of the record")


class FollowOut(Schema):
    id: str = Field(description="object_type:object_id")
    object_type: str
    object_id: str
    title: str
    url: str
    created_at: datetime


class FollowPage(Schema):
    items: list[FollowOut]
    next_cursor: str | None


class TeamChatWebhookIn(Schema):
    url: str | None = Field(max_length=500, description="Slack-compatible incoming webhook (https://…); an empty "
                                                         "string or null removes the team's webhook")


class TeamChatWebhookOut(Schema):
    team_id: str
    team: str = Field(description="The team's name")
    chat_webhook: str | None = Field(description="Scheme and host of the saved chat webhook (the URL is secret)")
