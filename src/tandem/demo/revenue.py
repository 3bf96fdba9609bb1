"""Demo revenue: a catalog (Starter, Growth and Enterprise per seat in USD and EUR, add-ons), monthly exchange
rates for three years, and subscriptions with three-year histories on the accounts written through the services —
seat increases, upgrades and downgrades, multi-year renewals with their discount, churn and reactivation. All
through the contracts services, so MRR movements, timelines and audit entries are what real use would give."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from tandem.access.decide import SYSTEM
from tandem.accounts import services as account_services
from tandem.accounts.models import Account
from tandem.contracts import logic
from tandem.contracts import services as contract_services
from tandem.contracts.choices import PricingModel, ProductKind
from tandem.contracts.models import Product

PLANS = (("starter", "Starter", Decimal(19), Decimal(18)), ("growth", "Growth", Decimal(49), Decimal(45)),
         ("enterprise", "Enterprise", Decimal(99), Decimal(92)))
ADD_ONS = (("sso", "Single sign-on", Decimal(300), Decimal(280), PricingModel.FLAT),
           ("premium-support", "Premium support", Decimal(8), Decimal(7), PricingModel.PER_SEAT))
RATES = {"EUR": Decimal("1.08"), "GBP": Decimal("1.26"), "KRW": Decimal("0.00075"), "CNY": Decimal("0.139")}
MULTI_YEAR_DISCOUNT = {24: Decimal(10), 36: Decimal(15)}
MAX_SUBSCRIBED_ACCOUNTS = 120
# Besides the accounts whose stage says they churned, every customer may leave in any month after its third: about
# 13 % a year, a usual rate for mid-market SaaS. Enough churn for the churn model and its backtest to learn from.
MONTHLY_CHURN = 0.012


def demo_revenue(*, seed: int, account_limit: int = MAX_SUBSCRIBED_ACCOUNTS) -> int:
    """Create the catalog, rates and subscriptions; returns how many subscriptions were created (0 when the
    catalog already exists)."""
    if Product.objects.filter(code="growth").exists():
        return 0
    rng = random.Random(seed * 104729 + 5)  # its own stream: adding revenue changes no other demo data
    today = timezone.localdate()
    first = logic.add_months(today.replace(day=1), -36)
    products = _catalog(first)
    _rates(rng, first, today)
    accounts = list(Account.objects.filter(external_id__startswith="demo-").order_by("id")[:account_limit])
    created = 0
    for account in accounts:
        with transaction.atomic():
            created += _history(rng, account, products, first, today)
    return created


def _catalog(first: datetime.date) -> dict[str, Product]:
    products = {code: contract_services.product_create(actor=SYSTEM, name=name, code=code)
                for code, name, _usd, _eur in PLANS}
    for code, name, _usd, _eur, _model in ADD_ONS:
        products[code] = contract_services.product_create(actor=SYSTEM, name=name, code=code, kind=ProductKind.ADD_ON)
    book = contract_services.price_book_create(actor=SYSTEM, name="List prices", is_default=True)
    prices: list[dict[str, Any]] = []
    for code, _name, usd, eur in PLANS:
        prices += [{"product": products[code], "currency": "USD", "amount": usd},
                   {"product": products[code], "currency": "EUR", "amount": eur}]
    for code, _name, usd, eur, model in ADD_ONS:
        prices += [{"product": products[code], "currency": "USD", "amount": usd, "pricing_model": model},
                   {"product": products[code], "currency": "EUR", "amount": eur, "pricing_model": model}]
    contract_services.price_book_version_create(actor=SYSTEM, price_book=book, effective_from=first,
                                                note="Launch prices", prices=prices)
    # A price rise 18 months in: new subscriptions pay more, existing ones keep their prices.
    rise = [{**row, "amount": (Decimal(row["amount"]) * Decimal("1.10")).quantize(Decimal(1))} for row in prices]
    contract_services.price_book_version_create(actor=SYSTEM, price_book=book,
                                                effective_from=logic.add_months(first, 18), note="+10 %",
                                                prices=rise)
    return products


def _rates(rng: random.Random, first: datetime.date, today: datetime.date) -> None:
    for currency, base in RATES.items():
        month = logic.add_months(first, -1)
        rate = base
        while month <= today:
            contract_services.exchange_rate_set(actor=SYSTEM, currency=currency, valid_from=month, rate=rate)
            rate = (rate * Decimal(1 + rng.uniform(-0.02, 0.02))).quantize(Decimal("0.00000001"))
            month = logic.add_months(month, 1)


def _history(rng: random.Random, account: Account, products: dict[str, Product], first: datetime.date,
             today: datetime.date) -> int:
    """One subscription for the account, started some time in the last three years, then lived month by month."""
    currency = "EUR" if account.currency == "EUR" else "USD"
    plan_index = {"high_touch": 2, "mid_touch": 1}.get(account.tier, 0)
    start = logic.add_months(first, rng.randrange(30)) + datetime.timedelta(days=rng.randrange(27))
    term = rng.choice((12, 12, 12, 24, 36))
    seats = rng.randint(5, 60) * (3 if plan_index == 2 else 1)
    add_ons = [{"product": products["sso"], "quantity": 1}] if plan_index == 2 else []
    subscription = contract_services.subscription_create(
        actor=SYSTEM, account=account, plan=products[PLANS[plan_index][0]], currency=currency, seats=seats,
        start_date=start, term_months=term, discount_percent=MULTI_YEAR_DISCOUNT.get(term, Decimal(0)),
        add_ons=add_ons, auto_renew=rng.random() < 0.7)
    months = 0  # how many monthly steps the subscription has lived by today
    while logic.add_months(start, months + 1) <= today:
        months += 1
    churn_month = None
    if account.lifecycle_stage == "churned":
        churn_month = min(rng.randrange(6, 24), max(months, 1))  # the stage says it has left: it left by today
    hazard = random.Random(f"{account.external_id}-churn")  # its own stream: other accounts' histories keep theirs
    day = logic.add_months(start, 1)
    month_number = 1
    status = "active"
    while day <= today:
        roll = rng.random()
        if status == "active":
            left = hazard.random() < MONTHLY_CHURN and month_number > 3 and account.lifecycle_stage != "trial"
            if (churn_month is not None and month_number == churn_month) or (churn_month is None and left):
                reasons = ("Budget cut", "Moved to a competitor", "Project ended")
                contract_services.subscription_churn(
                    actor=SYSTEM, subscription=subscription, effective_date=day,
                    reason=rng.choice(reasons) if churn_month is not None else hazard.choice(reasons))
                churn_month = month_number
                status = "churned"
            elif day > subscription.end_date:
                renewal_term = rng.choice((12, 12, 24, 36))
                contract_services.subscription_renew(
                    actor=SYSTEM, subscription=subscription, effective_date=day, term_months=renewal_term,
                    discount_percent=MULTI_YEAR_DISCOUNT.get(renewal_term, Decimal(0)),
                    reason="Multi-year renewal" if renewal_term > 12 else "Annual renewal")
            elif roll < 0.10:
                contract_services.subscription_amend(actor=SYSTEM, subscription=subscription, effective_date=day,
                                                     seats=subscription.seats + rng.choice((2, 3, 5, 10)),
                                                     reason="Team grew")
            elif roll < 0.12 and subscription.seats > 6:
                contract_services.subscription_amend(actor=SYSTEM, subscription=subscription, effective_date=day,
                                                     seats=subscription.seats - rng.choice((1, 2, 3)),
                                                     reason="Fewer users")
            elif roll < 0.135 and plan_index < 2:
                plan_index += 1
                contract_services.subscription_amend(actor=SYSTEM, subscription=subscription, effective_date=day,
                                                     plan=products[PLANS[plan_index][0]], reason="Upsell")
            elif roll < 0.145 and plan_index > 0:
                plan_index -= 1
                contract_services.subscription_amend(actor=SYSTEM, subscription=subscription, effective_date=day,
                                                     plan=products[PLANS[plan_index][0]], reason="Downgrade")
            elif roll < 0.16 and not subscription.add_ons.exists():
                contract_services.subscription_amend(
                    actor=SYSTEM, subscription=subscription, effective_date=day,
                    add_ons=[{"product": products["premium-support"], "quantity": 1}], reason="Premium support")
        elif churn_month is not None and month_number >= churn_month + 6 and roll < 0.15:
            contract_services.subscription_reactivate(actor=SYSTEM, subscription=subscription, effective_date=day,
                                                      term_months=12, reason="Came back")
            status = "active"
            churn_month = None
        day = logic.add_months(day, 1)
        month_number += 1
    if status == "churned" and account.lifecycle_stage != "churned":  # the record agrees with the contract
        account_services.account_update(actor=SYSTEM, account=account, lifecycle_stage="churned",
                                        status_flags=[flag for flag in account.status_flags if flag != "code_red"])
    return 1
