"""API schemas of the contracts app. Money is a decimal string in the API (``"1500.00"``), monthly, in the
currency next to it; fields of the ``pricing`` field group are null for readers who may not read it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field

from tandem.contracts.choices import PricingModel, ProductKind


class Ref(Schema):
    id: str
    name: str


class ProductRef(Schema):
    id: str
    code: str
    name: str


class ProductOut(Schema):
    id: str
    name: str
    code: str
    kind: str
    description: str
    active: bool
    created_at: datetime
    updated_at: datetime


class ProductPage(Schema):
    items: list[ProductOut]
    next_cursor: str | None


class ProductIn(Schema):
    name: str = Field(max_length=150)
    code: str = Field(max_length=60, description="Letters, digits, - and _; unique")
    kind: ProductKind = ProductKind.PLAN
    description: str = Field(default="", max_length=5000)
    active: bool = True


class ProductPatch(Schema):
    name: str | None = Field(default=None, max_length=150)
    description: str | None = Field(default=None, max_length=5000)
    active: bool | None = None


class PriceBookOut(Schema):
    id: str
    name: str
    is_default: bool
    created_at: datetime


class PriceBookPage(Schema):
    items: list[PriceBookOut]
    next_cursor: str | None


class PriceBookIn(Schema):
    name: str = Field(max_length=150)
    is_default: bool = False


class PriceIn(Schema):
    product: str = Field(description="The product's code or public id")
    currency: str = Field(min_length=3, max_length=3)
    amount: Decimal = Field(description="Monthly, per seat or flat")
    pricing_model: PricingModel = PricingModel.PER_SEAT


class PriceOut(Schema):
    product: ProductRef
    currency: str
    amount: Decimal
    pricing_model: str


class PriceBookVersionOut(Schema):
    id: str
    effective_from: date
    note: str
    prices: list[PriceOut]
    created_at: datetime


class PriceBookVersionPage(Schema):
    items: list[PriceBookVersionOut]
    next_cursor: str | None


class PriceBookVersionIn(Schema):
    effective_from: date
    note: str = Field(default="", max_length=200)
    prices: list[PriceIn] = Field(default_factory=list, max_length=2000)


class ExchangeRateOut(Schema):
    id: int
    currency: str
    valid_from: date
    rate: Decimal = Field(description="One unit of the currency in the workspace currency")


class ExchangeRatePage(Schema):
    items: list[ExchangeRateOut]
    next_cursor: str | None


class ExchangeRateIn(Schema):
    currency: str = Field(min_length=3, max_length=3)
    valid_from: date
    rate: Decimal


class AddOnIn(Schema):
    product: str = Field(description="The add-on's code or public id")
    quantity: int = Field(default=1, ge=1)
    unit_price: Decimal | None = Field(default=None, description="Default: the current line's or the catalog's")


class AddOnOut(Schema):
    product: ProductRef
    quantity: int
    unit_price: Decimal | None
    pricing_model: str


class SubscriptionOut(Schema):
    id: str
    account: Ref
    plan: ProductRef
    currency: str
    seats: int
    pricing_model: str
    unit_price: Decimal | None = Field(description="pricing field group")
    discount_percent: Decimal | None = Field(description="pricing field group")
    term_months: int | None = Field(description="pricing field group")
    add_ons: list[AddOnOut]
    mrr: Decimal | None = Field(description="Monthly recurring revenue in the subscription currency, after discount")
    arr: Decimal | None
    start_date: date
    end_date: date
    ended_on: date | None
    auto_renew: bool
    status: str
    external_id: str
    version: int = Field(description="Send it back with every change (optimistic locking; stale → 409)")
    created_at: datetime
    updated_at: datetime


class SubscriptionPage(Schema):
    items: list[SubscriptionOut]
    next_cursor: str | None


class SubscriptionIn(Schema):
    account: str = Field(description="Public id of the account")
    plan: str = Field(default="", description="The plan's code or public id")
    currency: str = Field(default="", max_length=3, description="Default: the workspace currency")
    seats: int = 1
    start_date: date | None = Field(default=None, description="Default: today")
    term_months: int = 12
    unit_price: Decimal | None = Field(default=None, description="Default: the price book's (pricing field group)")
    discount_percent: Decimal = Field(default=Decimal(0), description="pricing field group")
    add_ons: list[AddOnIn] = Field(default_factory=list, max_length=100)
    auto_renew: bool = True
    external_id: str = Field(default="", max_length=100)


class SubscriptionPatch(Schema):
    version: int | None = Field(default=None, description="The version you read; stale → 409")
    auto_renew: bool | None = None
    external_id: str | None = Field(default=None, max_length=100)


class AmendmentIn(Schema):
    version: int = Field(description="The subscription version you read")
    effective_date: date
    seats: int | None = None
    plan: str | None = Field(default=None, description="A new plan's code or public id")
    add_ons: list[AddOnIn] | None = Field(default=None, max_length=100, description="The complete new list")
    unit_price: Decimal | None = None
    discount_percent: Decimal | None = None
    reason: str = Field(default="", max_length=500)
    opportunity_ref: str = Field(default="", max_length=100)


class RenewIn(Schema):
    version: int
    effective_date: date
    term_months: int
    unit_price: Decimal | None = None
    discount_percent: Decimal | None = None
    seats: int | None = None
    reason: str = Field(default="", max_length=500)
    opportunity_ref: str = Field(default="", max_length=100)


class ChurnIn(Schema):
    version: int
    effective_date: date
    reason: str = Field(max_length=500)


class ReactivateIn(Schema):
    version: int
    effective_date: date
    term_months: int | None = None
    seats: int | None = None
    unit_price: Decimal | None = None
    reason: str = Field(default="", max_length=500)


class ChangeOut(Schema):
    id: str
    subscription: str
    kind: str
    effective_date: date
    currency: str
    mrr: Decimal | None
    mrr_delta: Decimal | None
    movement: str
    state: dict[str, Any]
    reason: str
    opportunity_ref: str
    created_by: str | None
    created_at: datetime


class ChangePage(Schema):
    items: list[ChangeOut]
    next_cursor: str | None


class MrrOut(Schema):
    on: date
    currency: str = Field(description="The workspace currency")
    mrr: Decimal
    arr: Decimal
    by_currency: dict[str, Decimal] = Field(description="Before conversion, per subscription currency")


class MovementRowOut(Schema):
    period: date = Field(description="The first day of the month")
    opening: Decimal
    new: Decimal
    expansion: Decimal
    contraction: Decimal
    churn: Decimal
    reactivation: Decimal
    net: Decimal
    closing: Decimal


class MovementsOut(Schema):
    currency: str
    start: date
    end: date
    rows: list[MovementRowOut]
    totals: dict[str, Decimal]
