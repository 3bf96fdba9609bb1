"""`tandem bench`: server-side timings of the key read paths against the configured database.

Runs each scenario in-process through Django's test client (no network, so the figure is server time),
reports median and p95 with the data sizes and the machine. Load data first, e.g.
`DATABASE_URL=postgres://… tandem demo --scale large`."""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import time
from collections.abc import Callable
from typing import Any


def _timed(function: Callable[[], Any], runs: int) -> dict[str, float]:
    function()  # warm caches and connections
    samples = []
    for _run in range(runs):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {"runs": runs, "median_ms": round(statistics.median(samples), 2),
            "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 2), "max_ms": round(samples[-1], 2)}


def run(*, runs: int = 50) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from tandem.accounts.models import Account
    from tandem.contacts.models import Contact
    from tandem.identity.models import User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    admin = User.objects.filter(roles__code="administrator", is_active=True).first()
    csm = User.objects.filter(roles__code="csm", is_active=True, account_roles__isnull=False).first()
    if admin is None or csm is None or not Account.objects.exists():
        raise RuntimeError("load data first: tandem demo --scale large")
    rng = random.Random(1)
    account_ids = list(Account.objects.order_by("?").values_list("public_id", flat=True)[:200])
    names = list(Account.objects.order_by("?").values_list("name", flat=True)[:200])

    def misspelled() -> str:
        name = rng.choice(names)
        position = rng.randrange(1, max(2, len(name) - 1))
        return name[:position] + name[position + 1:]  # drop one letter

    clients = {}
    for label, user in (("admin", admin), ("csm", csm)):
        client = Client()
        client.force_login(user)
        clients[label] = client

    def ok(response: Any) -> None:
        assert response.status_code == 200, response.status_code

    def account_list(client: Client) -> Callable[[], None]:
        return lambda: ok(client.get("/api/v1/accounts?limit=50&tier=high_touch"))

    def search(client: Client) -> Callable[[], None]:
        return lambda: ok(client.get("/api/v1/search", {"q": misspelled()}))

    results = {}
    for label in ("admin", "csm"):
        results[f"account list API, first page of 50, filter tier=high_touch ({label})"] = _timed(
            account_list(clients[label]), runs)
        results[f"global search, one letter missing ({label})"] = _timed(search(clients[label]), runs)
    results["Account 360 page (admin)"] = _timed(
        lambda: ok(clients["admin"].get(f"/accounts/{rng.choice(account_ids)}/")), runs)
    return {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "database": connection.vendor, "accounts": Account.objects.count(), "contacts": Contact.objects.count(),
        "results": results,
    }


def report(result: dict[str, Any]) -> str:
    lines = [f"{result['database']}: {result['accounts']:,} accounts, {result['contacts']:,} contacts; "
             f"{result['machine']['cpus']} CPUs, {result['machine']['platform']}"]
    for name, figures in result["results"].items():
        lines.append(f"  {name:<75} median {figures['median_ms']:>8.1f} ms   p95 {figures['p95_ms']:>8.1f} ms"
                     f"   ({figures['runs']} runs)")
    return "\n".join(lines)


def main(runs: int, output: str | None) -> None:
    result = run(runs=runs)
    print(report(result))
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=2)
