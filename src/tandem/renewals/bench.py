"""`tandem bench --renewals`: the renewal engine over 100,000 contracts (target ≤ 10 s on PostgreSQL) and a
second run that creates nothing.

Creates once (bulk, like the large demo): 100,000 accounts named "Renewal bench NNNNNN", each with a renewal
specialist (one of 20) and one active subscription whose end date is spread evenly over 1,080 days from the
bench's "today" — so 1/12 of them (≈ 8,300) fall into the 90-day notice window, and a third of those into the
30-day negotiation window. Each repetition removes what the previous one created (renewal records, opportunities,
tasks, timeline entries, notifications), times the first run and times the second."""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import time
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

BENCH_PREFIX = "Renewal bench "
CONTRACTS = 100_000
SPREAD_DAYS = 1_080
SPECIALISTS = 20
TODAY = datetime.date(2030, 1, 1)
BATCH = 10_000


def _ensure_data(progress: Any) -> list[int]:
    from tandem.accounts.models import Account, AccountTeamMember
    from tandem.contracts.models import Product, Subscription, SubscriptionChange
    from tandem.core.bulk import insert_many
    from tandem.identity.models import Role, User

    existing = list(Account.objects.filter(name__startswith=BENCH_PREFIX).values_list("pk", flat=True))
    if len(existing) >= CONTRACTS:
        return existing
    progress(f"Creating {CONTRACTS:,} accounts with one subscription each (once)…")
    plan, _created = Product.objects.get_or_create(code="bench-renewal", defaults={"name": "Bench plan"})
    role = Role.objects.get(code="renewal")
    people = []
    for index in range(SPECIALISTS):
        email = f"renewal-bench-{index}@example.test"
        person = User.objects.filter(email=email).first()
        if person is None:
            person = User.objects.create_user(email, full_name=f"Bench Renewal {index}")
            person.roles.add(role)
        people.append(person)
    for start in range(len(existing), CONTRACTS, BATCH):
        with transaction.atomic():
            accounts = [Account(name=f"{BENCH_PREFIX}{index:06d}", currency="USD", owner=people[index % SPECIALISTS])
                        for index in range(start, min(start + BATCH, CONTRACTS))]
            insert_many(Account, accounts)
            insert_many(AccountTeamMember, [AccountTeamMember(account=account, user=people[index % SPECIALISTS],
                                                              role=role)
                                            for index, account in enumerate(accounts, start=start)])
            subscriptions = []
            for index, account in enumerate(accounts, start=start):
                end = TODAY + datetime.timedelta(days=index * SPREAD_DAYS // CONTRACTS)
                subscriptions.append(Subscription(
                    account=account, plan=plan, currency="USD", seats=10, unit_price=Decimal(50),
                    term_months=12, start_date=end - datetime.timedelta(days=364), end_date=end,
                    mrr=Decimal(500), version=1))
            insert_many(Subscription, subscriptions)
            insert_many(SubscriptionChange, [SubscriptionChange(
                subscription=item, account_id=item.account_id, kind="created", effective_date=item.start_date,
                currency="USD", mrr=item.mrr, mrr_delta=item.mrr, movement="new", state={})
                for item in subscriptions])
        progress(f"  {min(start + BATCH, CONTRACTS):,}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("accounts_account", "contracts_subscription", "contracts_subscriptionchange",
                          "accounts_accountteammember"):
                cursor.execute(f"ANALYZE {table}")
    return list(Account.objects.filter(name__startswith=BENCH_PREFIX).values_list("pk", flat=True))


def _reset() -> None:
    """Remove what a run created on the bench accounts."""
    from tandem.notifications.models import Notification
    from tandem.pipeline.models import Opportunity
    from tandem.renewals.models import RenewalRecord
    from tandem.scheduling.models import Task
    from tandem.timeline.models import Activity

    with transaction.atomic():
        bench = {"account__name__startswith": BENCH_PREFIX}
        RenewalRecord.objects.filter(**bench).delete()
        Task.objects.filter(**bench).delete()
        Activity.objects.filter(payload__event__startswith="renewal_", **bench).delete()
        Opportunity.objects.filter(type="renewal", **bench).delete()
        Notification.objects.filter(kind__in=("renewal_assigned", "renewal_negotiation"),
                                    recipient__email__startswith="renewal-bench-").delete()


def run(*, runs: int = 3, progress: Any = print) -> dict[str, Any]:
    from django.urls import reverse

    from tandem.renewals import engine

    _ensure_data(progress)
    reverse("renewals:renewal-list")  # load the URLconf now: a one-time cost of a fresh process, not the engine's
    first, second, created, load = [], [], 0, []
    for _index in range(runs):
        _reset()
        load.append(round(os.getloadavg()[0], 1))
        started = time.perf_counter()
        result = engine.renewals_run(today=TODAY)
        first.append(time.perf_counter() - started)
        created = result.created
        started = time.perf_counter()
        again = engine.renewals_run(today=TODAY)
        second.append(time.perf_counter() - started)
        if again.records or again.negotiations:
            raise RuntimeError(f"The second run wrote something: {again}")
    return {"database": connection.vendor, "contracts": CONTRACTS, "created": created, "runs": runs,
            "first_run_s": {"median": round(statistics.median(first), 2), "all": [round(v, 2) for v in first]},
            "second_run_s": {"median": round(statistics.median(second), 2), "all": [round(v, 2) for v in second]},
            "load_average_1min": load, "machine": {"cpus": os.cpu_count(), "platform": platform.platform()}}


def report(result: dict[str, Any]) -> str:
    return (f"{result['database']}: renewal engine over {result['contracts']:,} contracts "
            f"({result['created']:,} renewal opportunities per first run); {result['machine']['cpus']} CPUs\n"
            f"  first run   median {result['first_run_s']['median']:>6.2f} s   {result['first_run_s']['all']}\n"
            f"  second run  median {result['second_run_s']['median']:>6.2f} s   {result['second_run_s']['all']}"
            "   (creates nothing)\n"
            f"  load average (1 min) before each run: {result['load_average_1min']}")
