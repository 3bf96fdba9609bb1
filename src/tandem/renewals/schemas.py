"""Input and output schemas of the renewals API."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field


class PersonOut(Schema):
    email: str
    name: str


class RenewalOpportunityOut(Schema):
    id: str
    name: str
    stage: str
    stage_code: str
    owner: PersonOut | None


class RenewalRecordOut(Schema):
    id: str
    end_date: datetime.date
    outcome: str
    reason: str
    assignment_basis: str
    assignee: PersonOut | None
    negotiation_opened_at: datetime.datetime | None
    opportunity: RenewalOpportunityOut | None


class HealthOut(Schema):
    label: str
    tone: str


class RenewalDueOut(Schema):
    subscription: str
    account: dict[str, str]
    plan: str
    end_date: datetime.date
    days_left: int
    mrr: Decimal | None = Field(description="In the workspace currency; null without an exchange rate or without "
                                            "read access to the pricing field group.")
    arr: Decimal | None
    currency: str
    owner: PersonOut | None
    renewal: RenewalRecordOut | None
    health: HealthOut | None


class RenewalDuePage(Schema):
    items: list[RenewalDueOut]
    next_cursor: str | None


class SuggestedPriceOut(Schema):
    term_months: int
    discount_percent: Decimal
    monthly: Decimal
    total: Decimal


class RenewalDetailOut(RenewalRecordOut):
    subscription: str
    account: dict[str, str]
    mrr: Decimal | None
    currency: str
    suggested_prices: list[SuggestedPriceOut]


class RenewalCloseIn(Schema):
    outcome: str = Field(description="renewed, downgraded or churned")
    reason: str = ""
    term_months: int | None = None
    seats: int | None = None
    version: int | None = Field(None, description="The opportunity version you read (optimistic locking).")


class PlaybookStepIO(Schema):
    offset_days: int
    title: str


class DiscountRuleIO(Schema):
    min_term_months: int
    discount_percent: Decimal


class RenewalSettingsOut(Schema):
    notice_days: int
    negotiation_days: int
    playbook: list[PlaybookStepIO]
    discount_rules: list[DiscountRuleIO]


class RenewalSettingsPatch(Schema):
    notice_days: int | None = None
    negotiation_days: int | None = None
    playbook: list[PlaybookStepIO] | None = None
    discount_rules: list[DiscountRuleIO] | None = None


class RenewalRunIn(Schema):
    today: datetime.date | None = None


class RenewalRunOut(Schema):
    today: datetime.date
    created: int
    skipped: int
    linked: int
    negotiations: int
    closed: int
