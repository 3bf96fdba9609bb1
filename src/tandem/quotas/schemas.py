"""Input and output schemas of the quotas API."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field


class PersonOut(Schema):
    id: str
    email: str
    name: str


class QuotaOut(Schema):
    id: str
    user: PersonOut
    role: str
    metric: str
    period: str
    period_start: datetime.date
    period_end: datetime.date
    target: Decimal
    currency: str


class QuotaPage(Schema):
    items: list[QuotaOut]
    next_cursor: str | None


class QuotaIn(Schema):
    user: str = Field(description="The person's email, public id or `me`.")
    metric: str = "bookings"
    period: str = "month"
    period_start: datetime.date | None = Field(None, description="Any day of the period (default: today).")
    target: Decimal | None = None
    role: str = ""


class QuotaBulkIn(Schema):
    role: str
    metric: str = "bookings"
    period: str = "month"
    period_start: datetime.date | None = None
    target: Decimal


class QuotaPatch(Schema):
    target: Decimal | None = None


class AttainmentOut(Schema):
    quota: QuotaOut
    actual: Decimal
    percent: Decimal
    unit: str


class AttainmentList(Schema):
    items: list[AttainmentOut]
