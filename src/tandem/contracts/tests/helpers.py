"""Shared set-up for the contracts tests: a small catalog and rates."""

from __future__ import annotations

import datetime
from decimal import Decimal

from tandem.access.decide import SYSTEM
from tandem.contracts import services
from tandem.contracts.choices import PricingModel, ProductKind
from tandem.contracts.models import PriceBook, Product

D = datetime.date
FLAT = PricingModel.FLAT


def catalog() -> dict[str, Product]:
    """Plans package (flat 1,000 USD), premium (flat 1,500 USD), growth (per seat 50 USD / 45 EUR) and the
    add-on sso (flat 200 USD); the default price book's first version starts 2020-01-01; EUR is 1.10 USD from
    2020-01-01 and 1.20 USD from 2024-01-01."""
    products = {
        "package": services.product_create(actor=SYSTEM, name="Package", code="package"),
        "premium": services.product_create(actor=SYSTEM, name="Premium", code="premium"),
        "growth": services.product_create(actor=SYSTEM, name="Growth", code="growth"),
        "sso": services.product_create(actor=SYSTEM, name="SSO", code="sso", kind=ProductKind.ADD_ON),
    }
    book = services.price_book_create(actor=SYSTEM, name="List prices", is_default=True)
    services.price_book_version_create(actor=SYSTEM, price_book=book, effective_from=D(2020, 1, 1), prices=[
        {"product": products["package"], "currency": "USD", "amount": Decimal(1000), "pricing_model": FLAT},
        {"product": products["premium"], "currency": "USD", "amount": Decimal(1500), "pricing_model": FLAT},
        {"product": products["growth"], "currency": "USD", "amount": Decimal(50)},
        {"product": products["growth"], "currency": "EUR", "amount": Decimal(45)},
        {"product": products["sso"], "currency": "USD", "amount": Decimal(200), "pricing_model": FLAT},
    ])
    services.exchange_rate_set(actor=SYSTEM, currency="EUR", valid_from=D(2020, 1, 1), rate=Decimal("1.10"))
    services.exchange_rate_set(actor=SYSTEM, currency="EUR", valid_from=D(2024, 1, 1), rate=Decimal("1.20"))
    return products


def book() -> PriceBook:
    return PriceBook.objects.get(is_default=True)
