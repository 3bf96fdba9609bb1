"""`tandem bench --tickets`: the agent queue (page and API, 50 tickets) over TICKETS tickets on PostgreSQL.

The tickets are generated once, in SQL (`INSERT … SELECT generate_series`), and kept for later runs: about 10 %
are active (spread over both tiers, a few agents and unassigned, with SLA deadlines over the next week), the
rest solved or closed over the past two years."""

from __future__ import annotations

import os
import platform
import time
from typing import Any

TICKETS = 1_000_000
MARKER = "bench-ticket"


def _generate(total: int, progress: Any) -> int:
    from django.db import connection, transaction

    from tandem.tickets.models import Ticket, TicketGroup

    existing = Ticket.objects.filter(requester_name=MARKER).count()
    missing = total - existing
    if missing <= 0:
        return existing
    groups = {group.tier: group.pk for group in TicketGroup.objects.exclude(tier__isnull=True)}
    from tandem.identity.models import User

    agents = list(User.objects.filter(roles__code__in=("support_tier1", "support_tier2")).values_list("pk",
                                                                                                       flat=True))
    agent_array = "ARRAY[" + ",".join(str(pk) for pk in agents) + "]::bigint[]" if agents else "ARRAY[]::bigint[]"
    batch = 100_000
    done = 0
    while done < missing:
        size = min(batch, missing - done)
        offset = existing + done
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"""
                INSERT INTO tickets_ticket (public_id, created_at, updated_at, subject, description, requester_email,
                    requester_name, channel, category, priority, status, tier, group_id, assignee_id, mail_token,
                    queue_due_at, first_response_due_at, resolution_due_at, satisfaction_comment)
                SELECT 'bt' || lpad(to_hex(n), 20, '0'), created, created,
                       'Benchmark ticket ' || n, '', 'customer' || (n %% 5000) || '@example.test', %(marker)s,
                       (ARRAY['phone','chat','email','web_form','marketing_reply','api'])[1 + n %% 6],
                       (ARRAY['question','product_setup','bug','integration','billing','feature_request'])[1 + n %% 6],
                       (ARRAY['low','normal','normal','high','urgent'])[1 + n %% 5],
                       CASE WHEN active THEN (ARRAY['new','open','pending_customer','on_hold'])[1 + (n / 20) %% 4]
                            ELSE (ARRAY['solved','closed'])[1 + n %% 2] END,
                       tier, CASE WHEN tier = 1 THEN %(tier1)s ELSE %(tier2)s END,
                       CASE WHEN cardinality({agent_array}) = 0 OR n %% 3 = 0 THEN NULL
                            ELSE ({agent_array})[1 + n %% greatest(cardinality({agent_array}), 1)] END,
                       'bt' || lpad(to_hex(n), 12, '0'),
                       CASE WHEN active AND (n / 20) %% 4 <> 2 THEN now() + ((n %% 10080) - 600) * interval '1 minute'
                            ELSE '9999-01-01'::timestamptz END,
                       NULL, NULL, ''
                FROM (SELECT n, (n %% 20 IN (1, 5)) AS active, CASE WHEN n %% 5 = 0 THEN 2 ELSE 1 END AS tier,
                             now() - (n %% 730) * interval '1 day' - (n %% 1440) * interval '1 minute' AS created
                      FROM generate_series(%(start)s, %(end)s) AS n) AS series
            """, {"marker": MARKER, "tier1": groups.get(1), "tier2": groups.get(2), "start": offset + 1,
                  "end": offset + size})
        done += size
        progress(f"  {existing + done:,} tickets ({size / (time.perf_counter() - started):,.0f}/s)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket")
    return existing + done


def _timed(function: Any, runs: int) -> dict[str, float]:
    function()
    samples = []
    for _run in range(runs):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {"runs": runs, "median_ms": round(samples[len(samples) // 2], 2),
            "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 2), "max_ms": round(samples[-1], 2)}


def run(*, runs: int = 50, total: int = TICKETS, progress: Any = print) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from tandem.identity.models import Role, User

    if connection.vendor != "postgresql":
        raise RuntimeError("the ticket benchmark needs PostgreSQL: set DATABASE_URL")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    agent, created = User.objects.get_or_create(email="bench.tier1@bench.tandem",
                                                defaults={"full_name": "Bench Tier1"})
    if created:
        agent.roles.add(Role.objects.get(code="support_tier1"))
    started = time.perf_counter()
    count = _generate(total, progress)
    generation = time.perf_counter() - started
    client = Client()
    client.force_login(agent)

    def ok(response: Any) -> None:
        assert response.status_code == 200, (response.status_code, response.content[:300])

    results = {}
    for queue in ("tier1", "tier2", "mine", "unassigned", "breaching"):
        results[f"queue API ?queue={queue}&limit=50"] = _timed(
            lambda queue=queue: ok(client.get(f"/api/v1/tickets?queue={queue}&limit=50")), runs)
    first = client.get("/api/v1/tickets?queue=tier1&limit=50").json()["next_cursor"]
    results["queue API, second page (keyset cursor)"] = _timed(
        lambda: ok(client.get(f"/api/v1/tickets?queue=tier1&limit=50&cursor={first}")), runs)
    results["queue page /tickets/?queue=tier1 (50 rows)"] = _timed(
        lambda: ok(client.get("/tickets/?queue=tier1")), runs)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('tickets_ticket')), "
                       "(SELECT count(*) FROM tickets_ticket WHERE status IN "
                       "('new','open','pending_customer','on_hold'))")
        size, active = cursor.fetchone()
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return {"database": f"PostgreSQL {version}", "tickets": count, "active": active, "table_size": size,
            "generation_seconds": round(generation, 1), "results": results,
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}}


def report(result: dict[str, Any]) -> str:
    lines = [f"{result['database']}: {result['tickets']:,} tickets ({result['active']:,} active), table with indexes "
             f"{result['table_size']}; {result['machine']['cpus']} CPUs, {result['machine']['platform']}"]
    for name, figures in result["results"].items():
        lines.append(f"  {name:<50} median {figures['median_ms']:>8.1f} ms   p95 {figures['p95_ms']:>8.1f} ms"
                     f"   ({figures['runs']} runs)")
    return "\n".join(lines)
