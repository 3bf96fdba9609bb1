from __future__ import annotations

from ninja import Schema
from pydantic import Field


class CustomFieldOut(Schema):
    id: str
    resource: str
    key: str
    label: str
    field_type: str
    choices: list[str]
    required: bool
    field_group: str
    help_text: str


class CustomFieldIn(Schema):
    resource: str = Field(description="account or contact")
    key: str = Field(max_length=40)
    label: str = Field(max_length=100)
    field_type: str = Field(description="text, long_text, number, money, date, choice, multi_choice, boolean, user")
    choices: list[str] = Field(default_factory=list)
    required: bool = False
    field_group: str = Field(default="", max_length=40)
    help_text: str = Field(default="", max_length=200)


class CustomFieldPatch(Schema):
    label: str | None = Field(default=None, max_length=100)
    choices: list[str] | None = None
    required: bool | None = None
    field_group: str | None = Field(default=None, max_length=40)
    help_text: str | None = Field(default=None, max_length=200)
