"""`tandem bench --mrr`: builds subscriptions with 36 months of history (default 100,000, PostgreSQL COPY) and
times ``mrr_movements`` over those months. Data is generated once per database (marked by the ``bench-``
external ids) and reused by later runs. Results in benchmarks/README.md."""

from __future__ import annotations

import datetime
import platform
import random
import statistics
import time
from decimal import Decimal
from typing import Any

PLANS = (("bench-starter", "Bench Starter", Decimal(25)), ("bench-growth", "Bench Growth", Decimal(49)),
         ("bench-enterprise", "Bench Enterprise", Decimal(89)))
BATCH = 5_000


def _history(rng: random.Random, months: int, start_index: int, seats: int, plan: int) -> list[tuple[int, str, int,
                                                                                                     int, str]]:
    """(month index, kind, seats, plan index, status) for one subscription: created, then monthly chances of a
    seat change, upgrade, downgrade, cancellation and (after a cancellation) reactivation; renewals every year."""
    events = [(start_index, "created", seats, plan, "active")]
    status = "active"
    for month in range(start_index + 1, months):
        roll = rng.random()
        if status == "active":
            if roll < 0.08:
                seats = max(1, seats + rng.choice((-3, -2, -1, 1, 2, 3, 5, 10)))
                events.append((month, "seat_change", seats, plan, status))
            elif roll < 0.09 and plan < len(PLANS) - 1:
                plan += 1
                events.append((month, "plan_upgrade", seats, plan, status))
            elif roll < 0.095 and plan > 0:
                plan -= 1
                events.append((month, "plan_downgrade", seats, plan, status))
            elif roll < 0.105:
                status = "churned"
                events.append((month, "churn", seats, plan, status))
            elif (month - start_index) % 12 == 0:
                events.append((month, "renewal", seats, plan, status))
        elif roll < 0.04:
            status = "active"
            events.append((month, "reactivation", seats, plan, status))
    return events


def build(*, subscriptions: int = 100_000, months: int = 36, seed: int = 7) -> dict[str, int]:
    """Insert the benchmark data unless it is there; returns the sizes."""
    from django.db import transaction

    from tandem.accounts.models import Account
    from tandem.contracts import logic
    from tandem.contracts.models import ExchangeRate, Product, Subscription, SubscriptionChange
    from tandem.core.bulk import insert_many

    existing = Subscription.objects.filter(external_id__startswith="bench-").count()
    if existing >= subscriptions:
        return {"subscriptions": existing,
                "changes": SubscriptionChange.objects.filter(subscription__external_id__startswith="bench-").count()}
    rng = random.Random(seed)
    today = datetime.date.today().replace(day=1)
    first = logic.add_months(today, -months)
    products = []
    for code, name, _price in PLANS:
        product, _created = Product.objects.get_or_create(code=code, defaults={"name": name})
        products.append(product)
    ExchangeRate.objects.get_or_create(currency="EUR", valid_from=logic.add_months(first, -1),
                                       defaults={"rate": Decimal("1.08")})
    for index in range(months // 6):
        ExchangeRate.objects.get_or_create(currency="EUR", valid_from=logic.add_months(first, index * 6 + 6),
                                           defaults={"rate": Decimal("1.05") + Decimal(index) / 100})
    total_changes = 0
    for offset in range(existing, subscriptions, BATCH):
        count = min(BATCH, subscriptions - offset)
        with transaction.atomic():
            accounts = [Account(name=f"Bench customer {offset + index:06d}",
                                external_id=f"bench-{offset + index:06d}") for index in range(0, count, 2)]
            insert_many(Account, accounts)
            subs: list[Any] = []
            plans: list[list[tuple[int, str, int, int, str]]] = []
            for index in range(count):
                account = accounts[index // 2]
                plan = rng.randrange(len(PLANS))
                events = _history(rng, months, rng.randrange(months), rng.randint(3, 150), plan)
                start = logic.add_months(first, events[0][0])
                currency = "EUR" if rng.random() < 0.2 else "USD"
                last = events[-1]
                unit = PLANS[last[3]][2]
                subs.append(Subscription(
                    account=account, plan=products[last[3]], currency=currency, seats=last[2], unit_price=unit,
                    start_date=start, end_date=logic.term_end(start, 12 * (1 + (months - events[0][0]) // 12)),
                    status=last[4], mrr=unit * last[2] if last[4] == "active" else Decimal(0),
                    external_id=f"bench-{offset + index:06d}"))
                plans.append(events)
            insert_many(Subscription, subs)
            changes: list[Any] = []
            by_account: dict[int, list[Any]] = {}
            for subscription, events in zip(subs, plans, strict=True):
                for month, kind, seats, plan, status in events:
                    mrr = PLANS[plan][2] * seats if status == "active" else Decimal(0)
                    change = SubscriptionChange(
                        subscription=subscription, account_id=subscription.account_id, kind=kind,
                        effective_date=logic.add_months(first, month) + datetime.timedelta(days=rng.randrange(27)),
                        currency=subscription.currency, mrr=mrr, mrr_delta=Decimal(0),
                        state={"plan": PLANS[plan][0], "seats": seats, "status": status})
                    changes.append(change)
                    by_account.setdefault(subscription.account_id, []).append(change)
            for account_changes in by_account.values():
                points = [logic.ChangePoint(index, change.subscription.pk, change.effective_date, change.mrr)
                          for index, change in enumerate(account_changes)]
                for item in logic.classify_history(points):
                    account_changes[item.key].mrr_delta = item.mrr_delta
                    account_changes[item.key].movement = item.movement
            insert_many(SubscriptionChange, changes)
            total_changes += len(changes)
        print(f"  built {offset + count:,} subscriptions", flush=True)
    return {"subscriptions": Subscription.objects.filter(external_id__startswith="bench-").count(),
            "changes": SubscriptionChange.objects.filter(subscription__external_id__startswith="bench-").count()}


def run(*, subscriptions: int = 100_000, months: int = 36, runs: int = 7) -> dict[str, Any]:
    from django.db import connection

    from tandem.access.decide import SYSTEM
    from tandem.contracts import logic, selectors
    from tandem.contracts.models import SubscriptionChange

    sizes = build(subscriptions=subscriptions, months=months)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE contracts_subscriptionchange")
    today = datetime.date.today()
    start = logic.add_months(today.replace(day=1), -months)
    end = logic.term_end(logic.add_months(today.replace(day=1), -1), 1)  # the last day of last month
    samples = []
    result = None
    for _run in range(runs + 1):
        began = time.perf_counter()
        result = selectors.mrr_movements(actor=SYSTEM, start=start, end=end)
        samples.append((time.perf_counter() - began) * 1000)
    samples = samples[1:]  # the first run warms caches
    assert result is not None
    return {
        "database": connection.vendor, "sizes": {**sizes, "all_changes": SubscriptionChange.objects.count()},
        "months": len(result.rows), "runs": runs, "median_ms": round(statistics.median(samples), 1),
        "max_ms": round(max(samples), 1), "machine": {"cpus": _cpus(), "platform": platform.platform()},
        "closing_mrr": str(result.rows[-1].closing),
        "totals": {key: str(value) for key, value in result.totals.items()},
    }


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def report(result: dict[str, Any]) -> str:
    sizes = result["sizes"]
    return (f"{result['database']}: mrr_movements over {result['months']} months, {sizes['subscriptions']:,} "
            f"subscriptions, {sizes['changes']:,} change rows: median {result['median_ms']:.0f} ms, max "
            f"{result['max_ms']:.0f} ms ({result['runs']} runs; {result['machine']['cpus']} CPUs)")
