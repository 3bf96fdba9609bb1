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


# --- imports and exports -----------------------------------------------------------------------------------
# Each phase runs in a child process of its own, so its peak RSS is its own and not the benchmark's.

_PHASE = """
import json, resource, sys, time
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from tandem.access.decide import SYSTEM
from tandem.transfer import services
from tandem.transfer.models import ImportJob, ImportMode
phase, kind, argument = sys.argv[1], sys.argv[2], sys.argv[3]
start = time.perf_counter()
if phase == "upload":
    with open(argument, "rb") as handle:
        job = services.import_job_create(actor=SYSTEM, kind=kind, upload=SimpleUploadedFile(argument, handle.read()))
    services.import_job_configure(actor=SYSTEM, job=job, mapping=job.mapping, mode=ImportMode.VALID_ROWS,
                                  remember=False)
    figures = {"job": job.pk}
elif phase == "dry_run":
    job = ImportJob.objects.get(pk=int(argument))
    services.import_job_validate(actor=SYSTEM, job=job)
    figures = {"rows": job.processed_rows, "bad_rows": job.error_rows}
elif phase == "import":
    job = ImportJob.objects.get(pk=int(argument))
    services.import_job_start(actor=SYSTEM, job=job)
    job.refresh_from_db()
    services.import_job_run(actor=SYSTEM, job=job)
    figures = {"rows": job.processed_rows, "created": job.created_count, "updated": job.updated_count,
               "bad_rows": job.error_rows}
else:
    from tandem.transfer import exports
    exporter = exports.EXPORTERS[kind]
    rows = 0
    with open(argument, "w", encoding="utf-8", newline="") as target:
        for line in exports.csv_stream(exporter, exporter.rows(SYSTEM).iterator(chunk_size=2000),
                                       exports.custom_columns(SYSTEM, exporter)):
            target.write(line)
            rows += 1
    figures = {"rows": rows - 1}
figures["seconds"] = round(time.perf_counter() - start, 2)
figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
figures["worker_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
print(json.dumps(figures))
"""


def _phase(*arguments: str) -> dict[str, Any]:
    import subprocess
    import sys

    completed = subprocess.run([sys.executable, "-c", _PHASE, *arguments], capture_output=True, text=True,
                               check=False)
    if completed.returncode != 0:
        raise RuntimeError(completed.stderr.strip().splitlines()[-1] if completed.stderr.strip() else "failed")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def run_transfer(*, kind: str, path: str) -> dict[str, Any]:
    """Dry run, import and export of ``path`` (e.g. a million contacts from benchmarks/make_sample.py), each
    timed in its own process with its peak RSS."""
    import tempfile

    from django.db import connection

    job = _phase("upload", kind, path)["job"]
    dry_run = _phase("dry_run", kind, str(job))
    imported = _phase("import", kind, str(job))
    with tempfile.NamedTemporaryFile(suffix=".csv") as target:
        exported = _phase("export", kind, target.name)
    for figures in (dry_run, imported, exported):
        figures["rows_per_second"] = round(figures["rows"] / figures["seconds"]) if figures["seconds"] else 0
    return {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
            "database": connection.vendor, "file": path, "kind": kind,
            "dry_run": dry_run, "import": imported, "export": exported}


def report_transfer(result: dict[str, Any]) -> str:
    lines = [f"{result['database']}: {result['kind']} from {result['file']}; {result['machine']['cpus']} CPUs, "
             f"{result['machine']['platform']}"]
    for phase in ("dry_run", "import", "export"):
        figures = result[phase]
        workers = f" (largest worker process {figures['worker_peak_rss_mb']} MB)" \
            if figures.get("worker_peak_rss_mb") else ""
        lines.append(f"  {phase:<8} {figures['rows']:>10,} rows  {figures['seconds']:>8.1f} s  "
                     f"{figures['rows_per_second']:>8,} rows/s  peak RSS {figures['peak_rss_mb']:>5} MB{workers}")
    return "\n".join(lines)


def main(runs: int, output: str | None, import_file: str | None = None, kind: str = "contacts") -> None:
    if import_file:
        result = run_transfer(kind=kind, path=import_file)
        print(report_transfer(result))
    else:
        result = run(runs=runs)
        print(report(result))
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=2)
