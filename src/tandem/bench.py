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
    rng = random.Random(1)  # the same accounts and misspellings on every run, so runs differ only by the machine
    everyone = list(Account.objects.order_by("pk").values_list("public_id", "name"))
    account_ids = [public_id for public_id, _name in rng.sample(everyone, min(200, len(everyone)))]
    names = [name for _public_id, name in rng.sample(everyone, min(200, len(everyone)))]

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


# --- timeline and mentions (the collaboration issue) ----------------------------------------------------------

TIMELINE_SIZE = 100_000
FAN_OUT = 20


def _timeline_account() -> Any:
    """An account with TIMELINE_SIZE activities (made once, with bulk inserts, and kept for later runs)."""
    import datetime

    from django.utils import timezone

    from tandem.accounts.models import Account
    from tandem.core.bulk import insert_many
    from tandem.timeline.models import Activity

    account, _created = Account.objects.get_or_create(external_id="bench-timeline",
                                                      defaults={"name": "Benchmark timeline account"})
    missing = TIMELINE_SIZE - Activity.objects.filter(account=account).count()
    start = timezone.now() - datetime.timedelta(days=400)
    from django.db import transaction

    while missing > 0:
        batch = [Activity(account=account, type="note", subject=f"Benchmark note {n}", body=f"Note {n}",
                          body_html=f"<p>Note {n}</p>", occurred_at=start + datetime.timedelta(minutes=5 * n))
                 for n in range(missing - min(missing, 10_000), missing)]
        with transaction.atomic():
            insert_many(Activity, batch)
        missing -= len(batch)
    from django.db import connection

    if connection.vendor == "postgresql":  # fresh statistics, as autovacuum would soon give them
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE timeline_activity")
    return account


def run_collaboration(*, runs: int = 50) -> dict[str, Any]:
    """The account timeline API (first page, a page 50,000 rows deep, the last page) on an account with
    100,000 activities, and a comment mentioning 20 people (the request only; delivery is a background job)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from tandem.api.pagination import _encode
    from tandem.identity.models import Role, User
    from tandem.timeline.models import Activity

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    admin = User.objects.filter(roles__code="administrator", is_active=True).first()
    if admin is None:
        raise RuntimeError("create an administrator first: tandem init")
    account = _timeline_account()
    client = Client()
    client.force_login(admin)

    def ok(response: Any) -> None:
        assert response.status_code in (200, 201), (response.status_code, response.content[:300])

    rows = Activity.objects.filter(account=account).order_by("-occurred_at", "-id")
    def cursor_at(offset: int) -> str:
        row = rows.values_list("occurred_at", "id")[offset]
        return _encode([row[0], row[1]])

    base = f"/api/v1/activities?account={account.public_id}&limit=50"
    deep, last = cursor_at(49_999), cursor_at(TIMELINE_SIZE - 51)
    results = {
        f"account timeline API, first page of 50 ({TIMELINE_SIZE:,} activities)": _timed(
            lambda: ok(client.get(base)), runs),
        "account timeline API, page after row 50,000": _timed(lambda: ok(client.get(f"{base}&cursor={deep}")), runs),
        "account timeline API, last page": _timed(lambda: ok(client.get(f"{base}&cursor={last}")), runs),
    }
    role = Role.objects.get(code="administrator")  # people who may see the account, so the mentions are valid
    people = []
    for n in range(FAN_OUT):
        person, created = User.objects.get_or_create(email=f"bench-mention-{n}@example.invalid",
                                                     defaults={"full_name": f"Bench Person {n}"})
        if created:
            person.set_unusable_password()
            person.save()
            person.roles.add(role)
        people.append(person)
    mentions = " ".join(f"@[{person.full_name}]({person.public_id})" for person in people)
    counter = iter(range(10**9))
    results[f"comment mentioning {FAN_OUT} people (request; delivery runs in the background)"] = _timed(
        lambda: ok(client.post("/api/v1/comments", {"object_type": "account", "object_id": account.public_id,
                                                    "body": f"Please look at this ({next(counter)}) {mentions}"},
                               content_type="application/json")), max(5, runs // 5))
    return {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
            "database": connection.vendor, "activities": TIMELINE_SIZE, "results": results}


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


def main(runs: int, output: str | None, import_file: str | None = None, kind: str = "contacts",
         collaboration: bool = False) -> None:
    if import_file:
        result = run_transfer(kind=kind, path=import_file)
        print(report_transfer(result))
    elif collaboration:
        result = run_collaboration(runs=runs)
        lines = [f"{result['database']}: one account with {result['activities']:,} activities; "
                 f"{result['machine']['cpus']} CPUs, {result['machine']['platform']}"]
        for name, figures in result["results"].items():
            lines.append(f"  {name:<75} median {figures['median_ms']:>8.1f} ms   p95 {figures['p95_ms']:>8.1f} ms"
                         f"   ({figures['runs']} runs)")
        print("\n".join(lines))
    else:
        result = run(runs=runs)
        print(report(result))
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=2)
