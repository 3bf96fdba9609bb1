from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from tandem.contacts.choices import BuyingRole


class AccountRef(Schema):
    id: str
    name: str


class ContactOut(Schema):
    id: str
    custom: dict[str, Any] = Field(default_factory=dict, description="Custom field values the caller may read")
    account: AccountRef | None
    first_name: str
    last_name: str
    email: str
    other_emails: list[str]
    phones: list[str] = Field(description="E.164, e.g. +493012345678")
    title: str
    buying_role: str
    language: str
    time_zone: str
    email_opt_out: bool
    survey_opt_out: bool
    external_id: str
    created_at: datetime
    updated_at: datetime


class ContactIn(Schema):
    custom: dict[str, Any] = Field(default_factory=dict, description="Custom field key -> value")
    account: str | None = Field(default=None, description="Public id of the account")
    first_name: str = Field(default="", max_length=100)
    last_name: str = Field(default="", max_length=100)
    email: str = Field(default="", max_length=254)
    other_emails: list[str] = Field(default_factory=list, max_length=20)
    phones: list[str] = Field(default_factory=list, max_length=20)
    title: str = Field(default="", max_length=150)
    buying_role: BuyingRole | None = None
    language: str = Field(default="", max_length=10)
    time_zone: str = Field(default="", max_length=64)
    email_opt_out: bool = False
    survey_opt_out: bool = False
    external_id: str = Field(default="", max_length=100)


class ContactPatch(Schema):
    custom: dict[str, Any] | None = Field(default=None, description="Custom values to change; others stay")
    account: str | None = None
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=254)
    other_emails: list[str] | None = Field(default=None, max_length=20)
    phones: list[str] | None = Field(default=None, max_length=20)
    title: str | None = Field(default=None, max_length=150)
    buying_role: BuyingRole | None = None
    language: str | None = Field(default=None, max_length=10)
    time_zone: str | None = Field(default=None, max_length=64)
    email_opt_out: bool | None = None
    survey_opt_out: bool | None = None
    external_id: str | None = Field(default=None, max_length=100)


class ContactPage(Schema):
    items: list[ContactOut]
    next_cursor: str | None
