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
