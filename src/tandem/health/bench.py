"""``tandem bench --health``: a full health recompute of 100,000 accounts over daily roll-ups equivalent to
10,000,000 events, and an incremental recompute of 1,000 dirty accounts (benchmarks/README.md).

Writes its data once (accounts "Health bench …", roll-up rows under ``bench.*`` event names, one subscription
each) and reuses it on later runs. Roll-up rows are written directly (COPY on PostgreSQL): this measures the
recompute, not ingestion."""

from __future__ import annotations

import datetime
import os
import platform
import random
import statistics
import time
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from tandem.accounts.models import Account
from tandem.contracts.models import Product, Subscription
from tandem.health import recompute
from tandem.usage import services as usage_services
from tandem.usage.models import Daily

ACTIVE_DAYS = 10  # per account over the 60 days the recompute reads (two 30-day windows)
EVENT_NAMES = 2  # per active day


def _accounts(count: int, progress: Any) -> list[int]:
    existing = list(Account.objects.filter(name__startswith="Health bench ").order_by("pk")
                    .values_list("pk", flat=True)[:count])
    missing = count - len(existing)
    for start in range(0, missing, 10_000):
        size = min(10_000, missing - start)
        Account.objects.bulk_create([Account(name=f"Health bench {len(existing) + start + index:06d}",
                                             tier=random.choice(("high_touch", "mid_touch", "tech_touch")))
                                     for index in range(size)])
        progress(f"  accounts: {len(existing) + start + size:,}")
    return list(Account.objects.filter(name__startswith="Health bench ").order_by("pk")
                .values_list("pk", flat=True)[:count])


def _rollups(ids: list[int], events: int, today: datetime.date, progress: Any) -> int:
    """Roll-up rows for the last 60 days adding up to ``events`` events; returns the row count."""
    if Daily.objects.filter(event="bench.0", account_id=ids[0]).exists():
        return Daily.objects.filter(event__startswith="bench.").count()
    per_row = max(1, events // (len(ids) * ACTIVE_DAYS * EVENT_NAMES))
    rng = random.Random(7)
    written = 0
    for start in range(0, len(ids), 10_000):
        chunk = ids[start:start + 10_000]
        lines = []
        for account_id in chunk:
            for offset in sorted(rng.sample(range(60), ACTIVE_DAYS)):
                day = today - datetime.timedelta(days=offset)
                for name in range(EVENT_NAMES):
                    lines.append(f"{account_id}\t{day.isoformat()}\tbench.{name}\t{per_row}\t{rng.randint(1, 20)}\n")
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy("COPY usage_daily (account_id, day, event, events, users) FROM STDIN") as copy:
                    copy.write("".join(lines).encode())
            else:
                cursor.executemany("INSERT INTO usage_daily (account_id, day, event, events, users) VALUES "
                                   "(%s, %s, %s, %s, %s)", [line.rstrip("\n").split("\t") for line in lines])
        written += len(lines)
        progress(f"  roll-up rows: {written:,}")
    return written


def _subscriptions(ids: list[int], today: datetime.date) -> None:
    plan, _created = Product.objects.get_or_create(code="health-bench", defaults={"name": "Health bench plan"})
    if Subscription.objects.filter(plan=plan).exists():
        return
    rng = random.Random(11)
    for start in range(0, len(ids), 10_000):
        Subscription.objects.bulk_create([
            Subscription(account_id=account_id, plan=plan, currency="USD", seats=rng.randint(5, 50),
                         unit_price=Decimal(10), start_date=today - datetime.timedelta(days=200),
                         end_date=today + datetime.timedelta(days=rng.randint(1, 365)), mrr=Decimal(100))
            for account_id in ids[start:start + 10_000]])


def run_health(*, accounts: int = 100_000, events: int = 10_000_000, runs: int = 3,
               progress: Any = print) -> dict[str, Any]:
    today = timezone.now().astimezone(datetime.UTC).date()
    ids = _accounts(accounts, progress)
    rows = _rollups(ids, events, today, progress)
    _subscriptions(ids, today)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE usage_daily")
            cursor.execute("ANALYZE accounts_account")
            cursor.execute("ANALYZE health_healthsnapshot")
    recompute.health_recompute(account_ids=ids[:1000])  # warm up
    full = []
    for _run in range(runs):
        started = time.perf_counter()
        recompute.health_recompute(account_ids=ids)
        full.append(time.perf_counter() - started)
        progress(f"  full recompute: {full[-1]:.2f} s")
    incremental = []
    rng = random.Random(3)
    for _run in range(runs * 3):
        usage_services.mark_accounts_dirty(account_ids=rng.sample(ids, 1000))
        started = time.perf_counter()
        result = recompute.recompute_dirty(limit=1000)
        incremental.append(time.perf_counter() - started)
        assert result.accounts >= 1000
    return {"database": connection.vendor, "accounts": len(ids), "rollup_rows": rows,
            "events": rows * max(1, events // (len(ids) * ACTIVE_DAYS * EVENT_NAMES)),
            "full_recompute_s": {"median": round(statistics.median(full), 3), "runs": [round(v, 3) for v in full]},
            "incremental_1000_s": {"median": round(statistics.median(incremental), 3),
                                   "max": round(max(incremental), 3), "runs": len(incremental)},
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform()}}


def write(result: dict[str, Any], path: str) -> None:
    import json

    with open(path, "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=2)


def report(result: dict[str, Any]) -> str:
    return (f"{result['database']}: {result['accounts']:,} accounts, {result['rollup_rows']:,} roll-up rows "
            f"(= {result['events']:,} events); {result['machine']['cpus']} CPUs\n"
            f"  full recompute            median {result['full_recompute_s']['median']:.2f} s  "
            f"(runs {result['full_recompute_s']['runs']})   target ≤ 5 s\n"
            f"  incremental, 1,000 dirty  median {result['incremental_1000_s']['median']:.3f} s  "
            f"(max {result['incremental_1000_s']['max']:.3f} s, {result['incremental_1000_s']['runs']} runs)   "
            f"target ≤ 1 s")
