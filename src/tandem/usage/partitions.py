"""Monthly range partitions of the raw events (by ``timestamp``) and the per-user daily sets (by ``day``) on
PostgreSQL. Partitions are created ahead (migration, a daily job, and before an import of history) and whole
expired partitions are dropped by the retention job. A DEFAULT partition catches anything outside the created
months so an acknowledged event is never refused for want of a partition; creating a month moves such rows out
of the default partition first. On SQLite there is nothing to do here (plain tables, retention by DELETE).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import connection, transaction

logger = logging.getLogger(__name__)

# table -> partition key column
PARTITIONED = {"usage_event": '"timestamp"', "usage_dailyuser": "day"}
LOCK_KEY = 7_000_107  # advisory lock serialising partition maintenance across processes


def is_partitioned() -> bool:
    return connection.vendor == "postgresql"


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of every month overlapping [start, end]."""
    months, month = [], month_start(start)
    while month <= end:
        months.append(month)
        month = next_month(month)
    return months


def partition_name(table: str, month: dt.date) -> str:
    return f"{table}_y{month.year:04d}m{month.month:02d}"


def existing_partitions(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT child.relname FROM pg_inherits JOIN pg_class parent ON parent.oid = inhparent "
            "JOIN pg_class child ON child.oid = inhrelid WHERE parent.relname = %s", [table])
        return {row[0] for row in cursor.fetchall()}


def _bounds(table: str, month: dt.date) -> tuple[str, str]:
    if table == "usage_event":
        return f"{month.isoformat()} 00:00:00+00", f"{next_month(month).isoformat()} 00:00:00+00"
    return month.isoformat(), next_month(month).isoformat()


def ensure_partitions(start: dt.date, end: dt.date) -> list[str]:
    """Create the monthly partitions of both tables for every month overlapping [start, end]; returns the new
    partitions' names. Rows of those months already in the DEFAULT partition are moved into the new one."""
    if not is_partitioned():
        return []
    created = []
    for table, column in PARTITIONED.items():
        have = existing_partitions(table)
        for month in months_between(start, end):
            name = partition_name(table, month)
            if name in have:
                continue
            low, high = _bounds(table, month)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
                if name in existing_partitions(table):  # another process made it while we waited
                    continue
                cursor.execute(f"LOCK TABLE {table}_default IN ACCESS EXCLUSIVE MODE")
                cursor.execute(f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
                cursor.execute(
                    f"WITH moved AS (DELETE FROM {table}_default WHERE {column} >= %s AND {column} < %s "
                    f"RETURNING *) INSERT INTO {name} SELECT * FROM moved", [low, high])
                if cursor.rowcount:
                    logger.info("moved %s rows from %s_default into %s", cursor.rowcount, table, name)
                cursor.execute(f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)",
                               [low, high])
            created.append(name)
    return created


def ensure_current_partitions(*, past_days: int, months_ahead: int = 3) -> list[str]:
    today = dt.datetime.now(dt.UTC).date()
    start = today - dt.timedelta(days=past_days)
    end = today
    for _ in range(months_ahead):
        end = next_month(end)
    return ensure_partitions(start, end)


def drop_partitions_before(cutoff: dt.date) -> list[str]:
    """Drop every monthly partition whose months lie wholly before ``cutoff`` (a first of month or any day);
    returns their names."""
    if not is_partitioned():
        return []
    dropped = []
    for table in PARTITIONED:
        for name in sorted(existing_partitions(table)):
            if name.endswith("_default"):
                continue
            suffix = name.rsplit("_", 1)[1]  # y2026m05
            month = dt.date(int(suffix[1:5]), int(suffix[6:8]), 1)
            if next_month(month) <= cutoff:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
                    cursor.execute(f"DROP TABLE IF EXISTS {name}")
                dropped.append(name)
    return dropped
