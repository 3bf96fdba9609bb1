"""Writing product-usage events: the one write path shared by the batch API and ``tandem import events``.

PostgreSQL: COPY into a temporary staging table, then one statement inserts the rows with ``ON CONFLICT DO
NOTHING`` and feeds only the rows that were new into the per-user daily sets, the daily roll-ups and the
dirty-account marks (data-modifying CTEs), all in the caller's transaction, which commits before anything is
acknowledged. SQLite: the same through a staging table and ``INSERT … ON CONFLICT DO NOTHING RETURNING``.
See docs/usage-events.md.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from tandem.access.decide import can
from tandem.core.exceptions import DomainError, PermissionDenied
from tandem.usage import logic

try:  # orjson is a dependency; the fallback keeps a broken install working, slower
    import orjson

    def _dumps(value: Any) -> str:
        return orjson.dumps(value).decode()
except ImportError:  # pragma: no cover
    import json

    def _dumps(value: Any) -> str:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)

MAX_PROPERTIES_BYTES = 32_768
RESOURCE = "usage_event"


class BatchTooLarge(DomainError):
    status = 413
    title = "Batch too large"


@dataclass(frozen=True, slots=True)
class Row:
    """An event ready to write (account resolved, properties serialised)."""

    account_id: int
    message_id: str
    timestamp: dt.datetime
    event: str
    user_id: str
    properties: str


@dataclass
class BatchResult:
    received: int
    accepted: int = 0  # valid events (in-batch duplicates counted once)
    stored: int = 0  # of those, new rows (the rest were stored by an earlier request)
    errors: list[logic.EventError] = field(default_factory=list)
    duplicates: list[logic.Duplicate] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "received": self.received, "accepted": self.accepted, "stored": self.stored,
            "already_stored": self.accepted - self.stored,
            "errors": [error.as_dict() for error in self.errors],
            "duplicates": [duplicate.as_dict() for duplicate in self.duplicates],
        }


# --- accounts --------------------------------------------------------------------------------------------------

ACCOUNT_CACHE_SECONDS = 60.0
_account_cache: dict[str, tuple[int, float]] = {}


def resolve_accounts(references: Iterable[str]) -> dict[str, int]:
    """Account public ids or external ids -> internal ids, with one query for those not cached (a per-process
    cache of known accounts for a minute; unknown references are looked up again every time)."""
    now = time.monotonic()
    found: dict[str, int] = {}
    missing = []
    for reference in set(references):
        cached = _account_cache.get(reference)
        if cached is not None and cached[1] > now:
            found[reference] = cached[0]
        else:
            missing.append(reference)
    if missing:
        from django.db.models import Q

        from tandem.accounts.models import Account

        rows = Account.objects.filter(Q(public_id__in=missing) | Q(external_id__in=missing)).values_list(
            "pk", "public_id", "external_id")
        by_external = {}
        for pk, public_id, external_id in rows:
            found[public_id] = pk
            if external_id:
                by_external[external_id] = pk
        for reference, pk in by_external.items():
            found.setdefault(reference, pk)  # a public id wins over an equal external id
        if len(_account_cache) > 200_000:
            _account_cache.clear()
        expiry = now + ACCOUNT_CACHE_SECONDS
        for reference in missing:
            if reference in found:
                _account_cache[reference] = (found[reference], expiry)
    return found


def forget_cached_accounts() -> None:
    _account_cache.clear()


# --- ingestion -------------------------------------------------------------------------------------------------


def events_ingest(*, actor: Any, items: Sequence[Any], now: dt.datetime | None = None,
                  history: bool = False) -> BatchResult:
    """Validate and store a batch. Valid events are stored even when others fail; the result lists every
    failed index. ``history`` (the importer) lifts the bound on past timestamps."""
    if not can(actor, "create", resource=RESOURCE):
        raise PermissionDenied("You may not send product-usage events.")
    if not history and len(items) > settings.EVENTS_MAX_BATCH:
        raise BatchTooLarge(f"A batch holds at most {settings.EVENTS_MAX_BATCH} events; this one has "
                            f"{len(items)}. Split it.")
    now = now or timezone.now()
    checked = logic.check_events(
        list(items), now=now,
        max_past=None if history else dt.timedelta(days=settings.EVENTS_MAX_PAST_DAYS),
        max_future=dt.timedelta(minutes=settings.EVENTS_MAX_FUTURE_MINUTES))
    result = BatchResult(received=len(items), errors=list(checked.errors), duplicates=checked.duplicates)
    accounts = resolve_accounts(event.account for event in checked.events)
    rows: list[Row] = []
    for event in checked.events:
        account_id = accounts.get(event.account)
        if account_id is None:
            result.errors.append(logic.EventError(event.index, "account", f"Unknown account '{event.account}' "
                                                  "(neither an account id nor an external id)."))
            continue
        try:
            properties = _dumps(event.properties)
        except (TypeError, ValueError):
            result.errors.append(logic.EventError(event.index, "properties", "'properties' cannot be stored as "
                                                  "JSON (invalid text)."))
            continue
        if len(properties) > MAX_PROPERTIES_BYTES:
            result.errors.append(logic.EventError(event.index, "properties", f"'properties' is larger than "
                                                  f"{MAX_PROPERTIES_BYTES} bytes."))
            continue
        if "\\u0000" in properties:
            result.errors.append(logic.EventError(event.index, "properties",
                                                  "'properties' contains a NUL character (\\u0000)."))
            continue
        rows.append(Row(account_id, event.message_id, event.timestamp, event.event, event.user, properties))
    if result.errors:
        result.errors.sort(key=lambda error: error.index)
        # An in-batch duplicate of an event that failed is not a duplicate of anything stored.
        failed = {error.index for error in result.errors}
        result.duplicates = [d for d in result.duplicates if d.duplicate_of not in failed]
    result.accepted = len(rows)
    if rows:
        result.stored = write_events(rows, received_at=now)
    return result


def write_events(rows: Sequence[Row], *, received_at: dt.datetime, attempts: int = 4) -> int:
    """Store the rows idempotently with their roll-ups in one transaction; returns how many were new.
    Concurrent batches that collide on hot roll-up rows may deadlock on PostgreSQL: the batch is retried."""
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    return _write_postgres(rows, received_at)
                return _write_sqlite(rows, received_at)
        except OperationalError as error:
            code = getattr(error.__cause__, "sqlstate", None)
            if code not in {"40P01", "40001"} or attempt == attempts - 1:
                raise
            time.sleep(0.01 * (attempt + 1))
    raise AssertionError("unreachable")


STAGE_POSTGRES = (
    "CREATE TEMP TABLE IF NOT EXISTS usage_stage (account_id bigint, message_id text, ts timestamptz, "
    "event text, user_id text, properties jsonb) ON COMMIT DELETE ROWS"
)
COPY_POSTGRES = "COPY usage_stage (account_id, message_id, ts, event, user_id, properties) FROM STDIN"
INSERT_POSTGRES = """
WITH new AS (
    INSERT INTO usage_event (account_id, message_id, "timestamp", event, user_id, properties, received_at)
    SELECT account_id, message_id, ts, event, user_id, properties, %(now)s FROM usage_stage
    ORDER BY account_id, message_id, ts
    ON CONFLICT DO NOTHING
    RETURNING account_id, event, user_id, ("timestamp" AT TIME ZONE 'UTC')::date AS day
), new_users AS (
    INSERT INTO usage_dailyuser (account_id, day, event, user_id)
    SELECT DISTINCT account_id, day, event, user_id FROM new WHERE user_id <> '' ORDER BY 1, 2, 3, 4
    ON CONFLICT DO NOTHING
    RETURNING account_id, day, event
), counted AS (
    SELECT n.account_id, n.day, n.event, n.events, coalesce(u.users, 0) AS users
    FROM (SELECT account_id, day, event, count(*) AS events FROM new GROUP BY 1, 2, 3) n
    LEFT JOIN (SELECT account_id, day, event, count(*) AS users FROM new_users GROUP BY 1, 2, 3) u
        USING (account_id, day, event)
), rolled AS (
    INSERT INTO usage_daily (account_id, day, event, events, users)
    SELECT account_id, day, event, events, users FROM counted ORDER BY 1, 2, 3
    ON CONFLICT (account_id, day, event) DO UPDATE
        SET events = usage_daily.events + excluded.events, users = usage_daily.users + excluded.users
), dirty AS (
    INSERT INTO usage_dirtyaccount (account_id, marked_at)
    SELECT DISTINCT account_id, %(now)s::timestamptz FROM new ORDER BY 1
    ON CONFLICT (account_id) DO UPDATE SET marked_at = excluded.marked_at
        WHERE usage_dirtyaccount.marked_at > excluded.marked_at
)
SELECT count(*) FROM new
"""


def _copy_text(value: str) -> str:
    """A value for COPY's text format: backslashes doubled (the other specials — tab, newline, carriage return —
    cannot occur: names and ids are printable, and JSON escapes them inside strings)."""
    return value.replace("\\", "\\\\") if "\\" in value else value


def _write_postgres(rows: Sequence[Row], received_at: dt.datetime) -> int:
    with connection.cursor() as cursor:
        cursor.execute(STAGE_POSTGRES)
        with cursor.cursor.copy(COPY_POSTGRES) as copy:
            copy.write("".join([f"{row.account_id}\t{_copy_text(row.message_id)}\t{row.timestamp.isoformat()}\t"
                                f"{_copy_text(row.event)}\t{_copy_text(row.user_id)}\t{_copy_text(row.properties)}\n"
                                for row in rows]).encode())
        cursor.execute(INSERT_POSTGRES, {"now": received_at})
        return int(cursor.fetchone()[0])


STAGE_SQLITE = [
    "CREATE TEMP TABLE IF NOT EXISTS usage_stage (account_id integer, message_id text, ts text, event text, "
    "user_id text, properties text)",
    "CREATE TEMP TABLE IF NOT EXISTS usage_stage_users (account_id integer, day text, event text, user_id text)",
    "DELETE FROM usage_stage",
    "DELETE FROM usage_stage_users",
]


def _sqlite_time(moment: dt.datetime) -> str:
    return str(moment.astimezone(dt.UTC).replace(tzinfo=None))  # as Django stores datetimes on SQLite


def _write_sqlite(rows: Sequence[Row], received_at: dt.datetime) -> int:
    with connection.cursor() as cursor:
        for statement in STAGE_SQLITE:
            cursor.execute(statement)
        cursor.executemany(
            "INSERT INTO usage_stage VALUES (%s, %s, %s, %s, %s, %s)",
            [(r.account_id, r.message_id, _sqlite_time(r.timestamp), r.event, r.user_id, r.properties)
             for r in rows])
        cursor.execute(
            'INSERT INTO usage_event (account_id, message_id, "timestamp", event, user_id, properties, received_at) '
            "SELECT account_id, message_id, ts, event, user_id, properties, %s FROM usage_stage WHERE true "
            "ORDER BY account_id, message_id, ts "
            "ON CONFLICT DO NOTHING RETURNING account_id, event, user_id, \"timestamp\"",
            [_sqlite_time(received_at)])
        new = cursor.fetchall()
        if not new:
            return 0
        events: Counter[tuple[int, str, str]] = Counter()
        users: set[tuple[int, str, str, str]] = set()
        for account_id, event, user_id, stamp in new:
            day = str(stamp)[:10]  # Django's SQLite converters may hand back a datetime
            events[(account_id, day, event)] += 1
            if user_id:
                users.add((account_id, day, event, user_id))
        new_users: Counter[tuple[int, str, str]] = Counter()
        if users:
            cursor.executemany("INSERT INTO usage_stage_users VALUES (%s, %s, %s, %s)", sorted(users))
            cursor.execute("INSERT INTO usage_dailyuser (account_id, day, event, user_id) SELECT account_id, day, "
                           "event, user_id FROM usage_stage_users WHERE true ON CONFLICT DO NOTHING "
                           "RETURNING account_id, day, event")
            new_users.update((a, str(d), e) for a, d, e in cursor.fetchall())
        cursor.executemany(
            "INSERT INTO usage_daily (account_id, day, event, events, users) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (account_id, day, event) DO UPDATE SET events = usage_daily.events + excluded.events, "
            "users = usage_daily.users + excluded.users",
            [(*key, count, new_users.get(key, 0)) for key, count in sorted(events.items())])
        cursor.executemany(
            "INSERT INTO usage_dirtyaccount (account_id, marked_at) VALUES (%s, %s) ON CONFLICT (account_id) "
            "DO NOTHING", [(account_id, _sqlite_time(received_at)) for account_id in sorted({k[0] for k in events})])
        return len(new)


# --- merging accounts --------------------------------------------------------------------------------------------


def usage_move_account(*, kept_id: int, removed_id: int) -> int:
    """An account merge: the duplicate's raw events, per-user sets and roll-ups become the kept account's
    (call inside the merge's transaction). Roll-ups of a day and event both accounts have are added up; their
    distinct users are recounted from the per-user sets where those still exist (the same end user seen on both
    accounts counts once), and added up where retention has dropped them. Returns the events moved."""
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO usage_event (account_id, message_id, "timestamp", event, user_id, properties, received_at) '
            'SELECT %s, message_id, "timestamp", event, user_id, properties, received_at FROM usage_event '
            "WHERE account_id = %s ON CONFLICT DO NOTHING", [kept_id, removed_id])
        moved = cursor.rowcount
        cursor.execute("INSERT INTO usage_dailyuser (account_id, day, event, user_id) SELECT %s, day, event, user_id "
                       "FROM usage_dailyuser WHERE account_id = %s ON CONFLICT DO NOTHING", [kept_id, removed_id])
        cursor.execute("INSERT INTO usage_daily (account_id, day, event, events, users) SELECT %s, day, event, events, "
                       "users FROM usage_daily WHERE account_id = %s ON CONFLICT (account_id, day, event) DO UPDATE "
                       "SET events = usage_daily.events + excluded.events, users = usage_daily.users + excluded.users",
                       [kept_id, removed_id])
        cursor.execute(
            "UPDATE usage_daily SET users = (SELECT count(*) FROM usage_dailyuser u WHERE u.account_id = "
            "usage_daily.account_id AND u.day = usage_daily.day AND u.event = usage_daily.event) "
            "WHERE account_id = %s AND EXISTS (SELECT 1 FROM usage_daily r WHERE r.account_id = %s "
            "AND r.day = usage_daily.day AND r.event = usage_daily.event) AND EXISTS (SELECT 1 FROM usage_dailyuser u "
            "WHERE u.account_id = usage_daily.account_id AND u.day = usage_daily.day AND u.event = usage_daily.event)",
            [kept_id, removed_id])
        for table in ("usage_event", "usage_dailyuser", "usage_daily", "usage_dirtyaccount"):
            cursor.execute(f"DELETE FROM {table} WHERE account_id = %s", [removed_id])  # noqa: S608 (fixed names)
    mark_accounts_dirty(account_ids=[kept_id])
    return max(int(moved), 0)


# --- dirty accounts (for the health job) ---------------------------------------------------------------------


def claim_dirty_accounts(*, limit: int = 1000) -> list[tuple[int, dt.datetime]]:
    """Take up to ``limit`` accounts with new events since they were last claimed, oldest mark first, and
    forget their marks: ``[(account_id, marked_at)]``. Call it in its own transaction before reading the
    roll-ups; if the recompute fails, give the accounts back with ``mark_accounts_dirty``. On PostgreSQL rows a
    batch is still writing are skipped (locked), so a claim never misses events committed after it read."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "DELETE FROM usage_dirtyaccount WHERE account_id IN (SELECT account_id FROM usage_dirtyaccount "
                "ORDER BY marked_at, account_id LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING account_id, marked_at",
                [limit])
            claimed = [(int(a), m) for a, m in cursor.fetchall()]
        else:
            cursor.execute("DELETE FROM usage_dirtyaccount WHERE account_id IN (SELECT account_id FROM "
                           "usage_dirtyaccount ORDER BY marked_at, account_id LIMIT %s) "
                           "RETURNING account_id, marked_at", [limit])
            claimed = [(int(a), _parse_sqlite_time(m)) for a, m in cursor.fetchall()]
    return sorted(claimed, key=lambda item: (item[1], item[0]))


def _parse_sqlite_time(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(str(value)).replace(tzinfo=dt.UTC)


def mark_accounts_dirty(*, account_ids: Iterable[int], marked_at: dt.datetime | None = None) -> None:
    """Mark accounts for recompute (a failed recompute gives its claim back; other sources of health data may
    mark too). An existing mark keeps its older time."""
    moment = marked_at or timezone.now()
    values = [(int(pk), moment if connection.vendor == "postgresql" else _sqlite_time(moment))
              for pk in sorted(set(account_ids))]
    if not values:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO usage_dirtyaccount (account_id, marked_at) VALUES (%s, %s) ON CONFLICT (account_id) "
            "DO UPDATE SET marked_at = CASE WHEN excluded.marked_at < usage_dirtyaccount.marked_at "
            "THEN excluded.marked_at ELSE usage_dirtyaccount.marked_at END", values)


# --- retention --------------------------------------------------------------------------------------------------


def events_expire(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete raw events and per-user daily sets older than TANDEM_EVENTS_RETENTION_DAYS (whole monthly
    partitions on PostgreSQL, plus old rows in the default partition); the daily roll-ups stay."""
    from tandem.usage import partitions

    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.EVENTS_RETENTION_DAYS)
    cutoff_day = cutoff.astimezone(dt.UTC).date()
    result = {"partitions": 0, "events": 0, "daily_users": 0}
    if connection.vendor == "postgresql":
        result["partitions"] = len(partitions.drop_partitions_before(cutoff_day))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute('DELETE FROM usage_event_default WHERE "timestamp" < %s', [cutoff])
            result["events"] = cursor.rowcount
            cursor.execute("DELETE FROM usage_dailyuser_default WHERE day < %s", [cutoff_day])
            result["daily_users"] = cursor.rowcount
        return result
    while True:  # in chunks, so the single SQLite writer is not held for long
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute('DELETE FROM usage_event WHERE (account_id, message_id, "timestamp") IN (SELECT account_id, '
                           'message_id, "timestamp" FROM usage_event WHERE "timestamp" < %s LIMIT 10000)',
                           [_sqlite_time(cutoff)])
            deleted = cursor.rowcount
        result["events"] += deleted
        if deleted < 10000:
            break
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM usage_dailyuser WHERE day < %s", [str(cutoff_day)])
        result["daily_users"] = cursor.rowcount
    return result
