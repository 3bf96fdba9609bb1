from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field


class UserRef(Schema):
    id: str
    email: str
    full_name: str


class AccountOut(Schema):
    id: str
    name: str
    domain: str
    owner: UserRef | None
    team: str | None
    created_at: datetime
    updated_at: datetime


class AccountIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    domain: str = Field(default="", max_length=253)
    owner: str | None = Field(default=None, description="Email of the owning user")


class AccountPatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    domain: str | None = Field(default=None, max_length=253)
    owner: str | None = Field(default=None, description="Email of the owning user")


class AccountPage(Schema):
    items: list[AccountOut]
    next_cursor: str | None
