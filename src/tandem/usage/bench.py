"""`tandem bench --events`: product-usage ingestion on PostgreSQL (benchmarks/README.md).

1. The physical limit: the same rows, 1,000 per transaction, COPYed into a temporary staging table and moved
   with ``INSERT … SELECT … ON CONFLICT DO NOTHING`` into a bare, unpartitioned table with the same unique key
   as ``usage_event`` — no roll-ups, no HTTP, no validation.
2. Sustained idempotent ingestion through HTTP: ``tandem serve --workers 2`` in a child process, several load
   generator processes on the same machine posting 1,000-event batches (5 % of each batch are retries of events
   already sent) for a fixed time; events/s acknowledged, p50/p99 batch latency, the web workers' peak RSS, and
   whether the roll-ups account for every stored event at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from typing import Any

import orjson

EVENT_NAMES = ["login", "dashboard.viewed", "report.exported", "invoice.sent", "user.invited", "search",
               "email.opened", "email.clicked", "integration.synced", "settings.changed"]
BATCH = 1000
# The shape of the load: a real-time stream from ACCOUNTS customers with USERS end users each, timestamps within
# the last SPREAD_SECONDS, 10 event names (so a batch touches ~1,000 roll-up rows and mostly new per-user rows).
ACCOUNTS = 1000
USERS = 25
SPREAD_SECONDS = 6 * 3600


def _events(rng: random.Random, refs: list[str], now: dt.datetime, count: int) -> list[dict[str, Any]]:
    return [{"message_id": uuid.UUID(int=rng.getrandbits(128)).hex, "account": rng.choice(refs),
             "user": f"user-{rng.randint(1, USERS)}", "event": rng.choice(EVENT_NAMES),
             "timestamp": (now - dt.timedelta(seconds=rng.randint(0, SPREAD_SECONDS))).isoformat(),
             "properties": {"plan": "pro", "seats": rng.randint(1, 200), "source": "web"}} for _ in range(count)]


def bench_accounts() -> list[str]:
    from tandem.accounts.models import Account

    have = set(Account.objects.filter(external_id__startswith="bench-usage-").values_list("external_id", flat=True))
    missing = [Account(name=f"Usage benchmark {n}", external_id=f"bench-usage-{n}") for n in range(ACCOUNTS)
               if f"bench-usage-{n}" not in have]
    Account.objects.bulk_create(missing, batch_size=1000)
    return [f"bench-usage-{n}" for n in range(ACCOUNTS)]


# --- 1. the physical limit -------------------------------------------------------------------------------------

BARE = """CREATE TABLE IF NOT EXISTS usage_bench_bare (account_id bigint NOT NULL, message_id varchar(100) NOT NULL,
    "timestamp" timestamptz NOT NULL, event varchar(200) NOT NULL, user_id varchar(200) NOT NULL DEFAULT '',
    properties jsonb NOT NULL DEFAULT '{}', received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, message_id, "timestamp"))"""


def physical_limit(rows: int) -> dict[str, Any]:
    from django.db import connection, transaction

    rng = random.Random(1)
    now = dt.datetime.now(dt.UTC)
    refs = list(range(1, ACCOUNTS + 1))
    data = [(rng.choice(refs), uuid.UUID(int=rng.getrandbits(128)).hex,
             now - dt.timedelta(seconds=rng.randint(0, SPREAD_SECONDS)), rng.choice(EVENT_NAMES),
             f"user-{rng.randint(1, USERS)}", orjson.dumps({"plan": "pro", "seats": rng.randint(1, 200),
                                                         "source": "web"}).decode()) for _ in range(rows)]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS usage_bench_bare")
        cursor.execute(BARE)
    started = time.perf_counter()
    for offset in range(0, rows, BATCH):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE IF NOT EXISTS usage_bench_stage (account_id bigint, message_id text, "
                           "ts timestamptz, event text, user_id text, properties jsonb) ON COMMIT DELETE ROWS")
            with cursor.cursor.copy("COPY usage_bench_stage FROM STDIN") as copy:
                for row in data[offset:offset + BATCH]:
                    copy.write_row(row)
            cursor.execute('INSERT INTO usage_bench_bare (account_id, message_id, "timestamp", event, user_id, '
                           "properties) SELECT * FROM usage_bench_stage ON CONFLICT DO NOTHING")
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE usage_bench_bare")
    return {"rows": rows, "seconds": round(seconds, 2), "rows_per_second": round(rows / seconds)}


# --- 2. HTTP ingestion -------------------------------------------------------------------------------------------


def load_client(index: int, port: int, token: str, refs: list[str], seconds: float, ready: Any, start_at: Any,
            results: Any, retry_share: float) -> None:
    import http.client

    rng = random.Random(1000 + index)
    now = dt.datetime.now(dt.UTC)
    batches = int(seconds * 20) + 10  # more than a client can send in the time (checked: "ran_out")
    bodies = []
    previous: list[dict[str, Any]] = []
    for _ in range(batches):
        fresh = _events(rng, refs, now, BATCH - int(BATCH * retry_share) if previous else BATCH)
        events = fresh + (rng.sample(previous, BATCH - len(fresh)) if previous else [])
        previous = fresh
        bodies.append(orjson.dumps({"events": events}))
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies, accepted, stored, errors = [], 0, 0, 0
    ready.release()
    start_at.wait()
    deadline = time.monotonic() + seconds
    for body in bodies:
        if time.monotonic() >= deadline:
            break
        began = time.perf_counter()
        connection.request("POST", "/api/v1/events/batch", body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        latencies.append(time.perf_counter() - began)
        if response.status != 200:
            errors += 1
            continue
        answer = orjson.loads(payload)
        accepted += answer["accepted"]
        stored += answer["stored"]
    results.put({"latencies": latencies, "accepted": accepted, "stored": stored, "errors": errors,
                 "ran_out": len(latencies) == len(bodies)})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def peak_rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def bench_token() -> str:
    from tandem.identity.logic import new_token_secret, token_display_prefix, token_hash
    from tandem.identity.models import ApiToken, User

    admin = User.objects.filter(roles__code="administrator", is_active=True).order_by("pk").first()
    if admin is None:
        raise RuntimeError("no active administrator: run `tandem init` first")
    secret = new_token_secret()
    ApiToken.objects.create(user=admin, name="usage benchmark", prefix=token_display_prefix(secret),
                            token_hash=token_hash(secret), scopes=["events:write"])
    return secret


def wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    import urllib.request

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("tandem serve exited while starting")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()  # noqa: S310
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("tandem serve did not answer /healthz within 60 s")


def _rollup_total() -> int:
    from django.db.models import Sum

    from tandem.usage.models import Daily

    return int(Daily.objects.aggregate(total=Sum("events"))["total"] or 0)


def http_ingestion(*, seconds: float, clients: int, workers: int, retry_share: float = 0.05) -> dict[str, Any]:
    from django.db import connection

    refs = bench_accounts()
    token = bench_token()
    before = _rollup_total()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "tandem.cli", "serve", "--host", "127.0.0.1", "--port",
                               str(port), "--workers", str(workers)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until_up(port, server)
        context = multiprocessing.get_context("fork")
        connection.close()  # the children must not share this process's database connection
        start_at = context.Event()
        ready = context.Semaphore(0)
        results = context.Queue()
        processes = [context.Process(target=load_client, args=(n, port, token, refs, seconds, ready, start_at,
                                                           results, retry_share)) for n in range(clients)]
        for process in processes:
            process.start()
        for _ in processes:  # every client has built its request bodies before the clock starts
            ready.acquire(timeout=600)
        time.sleep(1)
        began = time.perf_counter()
        start_at.set()
        outcomes = [results.get(timeout=seconds + 120) for _ in processes]
        elapsed = time.perf_counter() - began
        for process in processes:
            process.join()
        gunicorn = [pid for pid in children(server.pid) if "gunicorn" in cmdline(pid)]
        web_workers = [child for pid in gunicorn for child in children(pid)]
        worker_rss = max((peak_rss_mb(pid) for pid in web_workers), default=0.0)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    latencies = sorted(value for outcome in outcomes for value in outcome["latencies"])
    accepted = sum(outcome["accepted"] for outcome in outcomes)
    stored = sum(outcome["stored"] for outcome in outcomes)

    def pct(share: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(share * len(latencies)))] * 1000, 1) if latencies else 0

    rolled = _rollup_total() - before
    return {"seconds": round(elapsed, 1), "clients": clients, "web_workers": workers, "batches": len(latencies),
            "failed_batches": sum(outcome["errors"] for outcome in outcomes), "events_acknowledged": accepted,
            "clients_ran_out_of_bodies": sum(outcome["ran_out"] for outcome in outcomes),
            "events_stored": stored, "events_per_second": round(accepted / elapsed),
            "p50_ms": pct(0.50), "p99_ms": pct(0.99), "max_ms": pct(1.0),
            "web_worker_peak_rss_mb": round(worker_rss), "rollups_current": rolled == stored,
            "rollup_events_added": rolled}


def run(*, seconds: float = 30, clients: int = 4, workers: int = 2, limit_rows: int = 200_000) -> dict[str, Any]:
    from django.db import connection

    if connection.vendor != "postgresql":
        raise RuntimeError("the events benchmark needs PostgreSQL (set DATABASE_URL)")
    limit = physical_limit(limit_rows)
    ingestion = http_ingestion(seconds=seconds, clients=clients, workers=workers)
    ingestion["share_of_limit"] = round(ingestion["events_per_second"] / limit["rows_per_second"], 2)
    return {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                        "python": platform.python_version()},
            "physical_limit": limit, "http": ingestion}


def report(result: dict[str, Any]) -> str:
    limit, http = result["physical_limit"], result["http"]
    return "\n".join([
        f"postgresql; {result['machine']['cpus']} CPUs, {result['machine']['platform']}",
        f"  physical limit   {limit['rows']:>9,} rows in {limit['seconds']} s = {limit['rows_per_second']:,} rows/s "
        "(staged COPY + INSERT … ON CONFLICT DO NOTHING, bare table, 1,000 per transaction)",
        f"  HTTP ingestion   {http['events_per_second']:,} events/s acknowledged "
        f"({http['share_of_limit']:.0%} of the limit) over {http['seconds']} s, {http['clients']} clients, "
        f"{http['web_workers']} web workers, {http['batches']} batches of 1,000 ({http['failed_batches']} failed)",
        f"                   batch latency p50 {http['p50_ms']} ms, p99 {http['p99_ms']} ms, max {http['max_ms']} ms",
        f"                   web worker peak RSS {http['web_worker_peak_rss_mb']} MB; roll-ups current: "
        f"{http['rollups_current']} ({http['rollup_events_added']:,} events rolled up, "
        f"{http['events_stored']:,} stored new)",
    ])


def main(output: str | None = None, **options: Any) -> None:
    result = run(**options)
    print(report(result))
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=2)
