from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from tandem.access.decide import SYSTEM
from tandem.core.testing.factories import AccountFactory, assign
from tandem.usage import services as usage_services
from tandem.usage.models import Daily

# Yesterday at noon (UTC): far enough from midnight, and in the past like real data.
NOW = datetime.datetime.combine(timezone.now().astimezone(datetime.UTC).date() - datetime.timedelta(days=1),
                                datetime.time(12), tzinfo=datetime.UTC)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _fresh_account_cache():
    usage_services.forget_cached_accounts()
    yield
    usage_services.forget_cached_accounts()


def usage(account: Any, *, days: int = 30, per_day: int = 30, features: int = 8, users: int = 20,
          end: datetime.date = TODAY, email: bool = True) -> None:
    """Daily roll-ups for the ``days`` UTC days up to ``end``: ``per_day`` events spread over ``features``
    event names, and marketing mail."""
    rows = []
    for offset in range(days):
        day = end - datetime.timedelta(days=offset)
        for index in range(features):
            rows.append(Daily(account_id=account.pk, day=day, event=f"feature.{index}",
                              events=max(per_day // features, 1), users=users))
        if email and offset % 7 == 0:
            rows += [Daily(account_id=account.pk, day=day, event="email.sent", events=10, users=10),
                     Daily(account_id=account.pk, day=day, event="email.opened", events=4, users=4)]
    Daily.objects.bulk_create(rows, ignore_conflicts=True)


def subscribe(account: Any, *, seats: int = 25, start: datetime.date | None = None, term_months: int = 12) -> Any:
    from tandem.contracts.models import Product
    from tandem.contracts.services import subscription_create

    start = start or TODAY - datetime.timedelta(days=150)
    plan, _created = Product.objects.get_or_create(code="health-plan", defaults={"name": "Health plan"})
    return subscription_create(actor=SYSTEM, account=account, plan=plan, currency="USD", seats=seats,
                               start_date=start, term_months=term_months, unit_price=Decimal(10))


@pytest.fixture
def team_account(am, csm):
    account = AccountFactory(name="Healthy Co", owner=am)
    assign(account, am, "am")
    assign(account, csm, "csm")
    return account


@pytest.fixture
def now():
    return NOW


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def recent() -> datetime.datetime:
    return timezone.now()
