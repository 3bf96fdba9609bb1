"""``tandem bench --freshness``: how long after an event is acknowledged the account's score is updated and its
code-red alert raised, while the server takes sustained ingestion (benchmarks/README.md, issue 7).

``tandem serve --workers 2`` runs in a child process with its embedded job consumer (Redis-backed when
``REDIS_URL`` is set), so the recompute is the real periodic job, not a call made by the benchmark. Load
generators post 1,000-event batches as ``tandem bench --events`` does. Meanwhile a probe process posts, every
``interval`` seconds, one event for a probe account of its own and notes the moment the server acknowledged it;
a watcher process polls the database and notes when that account's snapshot for today appears (the updated
score, visible to readers) and when its code-red flag appears. The probe accounts are prepared so that an alert is
due on their next score: a stored snapshot of 100 from ``drop_days`` ago and no later one, so the fresh score
falls by more than the scorecard's ``drop_points`` (or lands in red). Latency = first seen − acknowledged; the
watcher's poll interval (0.25 s) bounds its error.
"""

from __future__ import annotations

import datetime as dt
import http.client
import multiprocessing
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
import uuid
from typing import Any

import orjson

POLL_SECONDS = 0.25
GRACE_SECONDS = 120  # how long the watcher keeps looking after the last probe


def _probe_accounts(count: int) -> list[tuple[int, str]]:
    """``count`` probe accounts ready for an alert: customers (an active subscription: only customers get code
    red) with no score today or yesterday, 100 ``drop_days`` ago, and no open flag. Returns ``[(pk, external id)]``."""
    from decimal import Decimal

    from django.db import transaction

    from tandem.accounts.models import Account
    from tandem.contracts.models import Product, Subscription
    from tandem.health import selectors
    from tandem.health.models import HealthSnapshot, RiskFlag
    from tandem.identity.models import User

    admin = User.objects.filter(roles__code="administrator", is_active=True).order_by("pk").first()
    refs = [f"bench-fresh-{n}" for n in range(count)]
    have = set(Account.objects.filter(external_id__in=refs).values_list("external_id", flat=True))
    Account.objects.bulk_create([Account(name=f"Freshness probe {ref[12:]}", external_id=ref, tier="high_touch",
                                         owner=admin) for ref in refs if ref not in have])
    rows = list(Account.objects.filter(external_id__in=refs).order_by("pk").values_list("pk", "external_id"))
    card = selectors.active_scorecards().for_tier("high_touch")
    if card is None:
        raise RuntimeError("no active scorecard scores high-touch accounts: run `tandem demo` or configure one")
    today = dt.datetime.now(dt.UTC).date()
    ids = [pk for pk, _ref in rows]
    plan, _created = Product.objects.get_or_create(code="freshness-bench", defaults={"name": "Freshness bench plan"})
    subscribed = set(Subscription.objects.filter(plan=plan).values_list("account_id", flat=True))
    Subscription.objects.bulk_create([
        Subscription(account_id=pk, plan=plan, currency="USD", seats=10, unit_price=Decimal(10), mrr=Decimal(100),
                     start_date=today - dt.timedelta(days=200), end_date=today + dt.timedelta(days=300))
        for pk in ids if pk not in subscribed])
    with transaction.atomic():
        HealthSnapshot.objects.filter(account_id__in=ids).delete()
        RiskFlag.objects.filter(account_id__in=ids).delete()
        HealthSnapshot.objects.bulk_create([
            HealthSnapshot(account_id=pk, day=today - dt.timedelta(days=card.drop_days), score=100, computed=100,
                           color="green", components="[]", scorecard=card,
                           computed_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=card.drop_days))
            for pk in ids])
    return rows


def _load_refs(accounts: int) -> list[str]:
    """What the load posts to: the events benchmark's 1,000 accounts, or the first ``accounts`` accounts of the
    workspace by public id (every one of them dirty on every cycle: the worst case for the recompute)."""
    from tandem.accounts.models import Account
    from tandem.usage import bench as usage_bench

    if not accounts:
        return usage_bench.bench_accounts()
    return [str(ref) for ref in Account.objects.exclude(external_id__startswith="bench-fresh-").order_by("pk")
            .values_list("public_id", flat=True)[:accounts]]


def _probe(port: int, token: str, refs: list[str], interval: float, start_at: Any, results: Any) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    start_at.wait()
    began = time.monotonic()
    acknowledged = []
    for index, ref in enumerate(refs):
        pause = began + index * interval - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        body = orjson.dumps({"events": [{"message_id": uuid.uuid4().hex, "account": ref, "user": "probe",
                                         "event": "login", "timestamp": dt.datetime.now(dt.UTC).isoformat(),
                                         "properties": {}}]})
        connection.request("POST", "/api/v1/events/batch", body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read()
        if response.status == 200 and orjson.loads(answer)["stored"] == 1:
            acknowledged.append((ref, time.time()))
    results.put({"probes": acknowledged})


def _watch(ids: dict[int, str], stop_after: Any, results: Any) -> None:
    from django.db import connection

    today = dt.datetime.now(dt.UTC).date()
    scored: dict[str, float] = {}
    flagged: dict[str, float] = {}
    deadline = None
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT account_id FROM health_healthsnapshot WHERE day = %s AND account_id = ANY(%s)",
                           [today, [pk for pk in ids if ids[pk] not in scored]])
            seen = time.time()
            for (pk,) in cursor.fetchall():
                scored.setdefault(ids[pk], seen)
            cursor.execute("SELECT account_id FROM health_riskflag WHERE account_id = ANY(%s)",
                           [[pk for pk in ids if ids[pk] not in flagged]])
            seen = time.time()
            for (pk,) in cursor.fetchall():
                flagged.setdefault(ids[pk], seen)
        if deadline is None and stop_after.is_set():
            deadline = time.monotonic() + GRACE_SECONDS
        if len(scored) == len(ids) and len(flagged) == len(ids):
            break
        if deadline is not None and time.monotonic() > deadline:
            break
        time.sleep(POLL_SECONDS)
    connection.close()
    results.put({"scored": scored, "flagged": flagged})


def _summary(latencies: list[float]) -> dict[str, Any]:
    if not latencies:
        return {"count": 0}
    ordered = sorted(latencies)
    return {"count": len(ordered), "median_s": round(statistics.median(ordered), 1),
            "p95_s": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
            "max_s": round(ordered[-1], 1)}


def run(*, seconds: float = 150, clients: int = 3, workers: int = 2, interval: float = 2.0,
        accounts: int = 0) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection

    from tandem.usage import bench as usage_bench

    if connection.vendor != "postgresql":
        raise RuntimeError("the freshness benchmark needs PostgreSQL (set DATABASE_URL)")
    probes = _probe_accounts(int(seconds // interval))
    probe_ids = {pk: ref for pk, ref in probes}
    refs = _load_refs(accounts)
    token = usage_bench.bench_token()
    port = usage_bench.free_port()
    server = subprocess.Popen([sys.executable, "-m", "tandem.cli", "serve", "--host", "127.0.0.1", "--port",
                               str(port), "--workers", str(workers)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        usage_bench.wait_until_up(port, server)
        context = multiprocessing.get_context("fork")
        connection.close()  # the children must not share this process's database connection
        start_at, stop_after = context.Event(), context.Event()
        ready = context.Semaphore(0)
        load_results, probe_results, watch_results = context.Queue(), context.Queue(), context.Queue()
        loaders = [context.Process(target=usage_bench.load_client, args=(n, port, token, refs, seconds, ready,
                                                                         start_at, load_results, 0.05))
                   for n in range(clients)]
        prober = context.Process(target=_probe, args=(port, token, [ref for _pk, ref in probes], interval,
                                                      start_at, probe_results))
        watcher = context.Process(target=_watch, args=(probe_ids, stop_after, watch_results))
        for process in (*loaders, prober, watcher):
            process.start()
        for _ in loaders:
            ready.acquire(timeout=600)
        time.sleep(1)
        began = time.perf_counter()
        start_at.set()
        loads = [load_results.get(timeout=seconds + 120) for _ in loaders]
        elapsed = time.perf_counter() - began
        acknowledged = probe_results.get(timeout=seconds + 120)["probes"]
        stop_after.set()
        watched = watch_results.get(timeout=GRACE_SECONDS + 60)
        for process in (*loaders, prober, watcher):
            process.join()
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    score_latency = [watched["scored"][ref] - at for ref, at in acknowledged if ref in watched["scored"]]
    alert_latency = [watched["flagged"][ref] - at for ref, at in acknowledged if ref in watched["flagged"]]
    accepted = sum(load["accepted"] for load in loads)
    return {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "load_average": [round(value, 1) for value in os.getloadavg()]},
        "jobs": "redis" if getattr(settings, "REDIS_URL", "") or os.environ.get("REDIS_URL") else "sqlite",
        "load": {"seconds": round(elapsed, 1), "clients": clients, "web_workers": workers,
                 "accounts": len(refs), "events_acknowledged": accepted,
                 "events_per_second": round(accepted / elapsed) if elapsed else 0,
                 "failed_batches": sum(load["errors"] for load in loads)},
        "probes": {"sent": len(probes), "acknowledged": len(acknowledged), "interval_s": interval,
                   "never_scored": len(acknowledged) - len(score_latency),
                   "never_flagged": len(acknowledged) - len(alert_latency)},
        "score": _summary(score_latency),
        "alert": _summary(alert_latency),
        "samples": [{"acknowledged_at": round(at, 2), "second_of_minute": round(at % 60, 1),
                     "score_s": round(watched["scored"][ref] - at, 2) if ref in watched["scored"] else None,
                     "alert_s": round(watched["flagged"][ref] - at, 2) if ref in watched["flagged"] else None}
                    for ref, at in acknowledged],
    }


def report(result: dict[str, Any]) -> str:
    load, probes, score, alert = result["load"], result["probes"], result["score"], result["alert"]

    def line(name: str, figures: dict[str, Any]) -> str:
        if not figures["count"]:
            return f"  {name:<14} never seen"
        return (f"  {name:<14} median {figures['median_s']} s, p95 {figures['p95_s']} s, max {figures['max_s']} s "
                f"({figures['count']} probes)   target p95 ≤ 60 s")

    return "\n".join([
        f"postgresql, jobs on {result['jobs']}; {result['machine']['cpus']} CPUs, {result['machine']['platform']}; "
        f"load average at the end {result['machine']['load_average']}",
        f"  load           {load['events_per_second']:,} events/s acknowledged over {load['seconds']} s "
        f"({load['clients']} clients, {load['web_workers']} web workers, {load['accounts']:,} accounts, "
        f"{load['failed_batches']} failed batches)",
        f"  probes         {probes['acknowledged']} of {probes['sent']} acknowledged, one every "
        f"{probes['interval_s']} s; never scored {probes['never_scored']}, never flagged {probes['never_flagged']}",
        line("score updated", score),
        line("code-red alert", alert),
    ])


def main(output: str | None = None, **options: Any) -> int:
    import json

    result = run(**options)
    print(report(result))
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=2)
    return 0 if not result["probes"]["never_scored"] and not result["probes"]["never_flagged"] else 1
