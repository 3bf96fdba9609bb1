from __future__ import annotations

from datetime import datetime

from ninja import Schema


class TeamRef(Schema):
    id: str
    name: str


class MeOut(Schema):
    id: str
    email: str
    full_name: str
    time_zone: str
    language: str
    roles: list[str]
    teams: list[TeamRef]
    token_scopes: list[str] | None
    date_joined: datetime


class RoleOut(Schema):
    code: str
    name: str
    description: str
    requires_two_factor: bool


class UserOut(Schema):
    id: str
    email: str
    full_name: str
    is_active: bool
    roles: list[str]
    teams: list[str]
    time_zone: str
    last_login: datetime | None


class UserPage(Schema):
    items: list[UserOut]
    next_cursor: str | None


class TeamOut(Schema):
    id: str
    name: str
    manager: str | None
    members: list[str]
