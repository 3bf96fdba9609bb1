"""Reading product usage: always from the daily roll-ups (never by scanning raw events).

``usage_daily`` and ``active_days`` are system reads for jobs (the health scores): they take account ids the
caller already decided on. Pages read through ``account_usage_summary``, which checks the actor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Sum

from tandem.access.decide import can
from tandem.usage.models import Daily, DailyUser


@dataclass(frozen=True)
class DailyUsage:
    account_id: int
    event: str
    day: dt.date
    events: int
    users: int


def usage_daily(*, account_ids: Iterable[int], start: dt.date, end: dt.date) -> list[DailyUsage]:
    """Per account x event x UTC day in [start, end] (both inclusive): event count and distinct end users."""
    ids = list(account_ids)
    if not ids:
        return []
    rows = (Daily.objects.filter(account_id__in=ids, day__gte=start, day__lte=end)
            .order_by("account_id", "day", "event").values_list("account_id", "event", "day", "events", "users"))
    return [DailyUsage(*row) for row in rows.iterator(chunk_size=5000)]


def active_days(*, account_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[int, int]:
    """Per account: on how many UTC days in [start, end] it had at least one event (accounts without any are
    left out)."""
    ids = list(account_ids)
    if not ids:
        return {}
    rows = (Daily.objects.filter(account_id__in=ids, day__gte=start, day__lte=end).values("account_id")
            .annotate(days=Count("day", distinct=True)).values_list("account_id", "days"))
    return dict(rows)


def active_users(*, account_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[int, int]:
    """Per account: distinct end users with any event in [start, end] (from the per-user daily sets, which are
    kept for TANDEM_EVENTS_RETENTION_DAYS)."""
    ids = list(account_ids)
    if not ids:
        return {}
    rows = (DailyUser.objects.filter(account_id__in=ids, day__gte=start, day__lte=end).values("account_id")
            .annotate(users=Count("user_id", distinct=True)).values_list("account_id", "users"))
    return dict(rows)


@dataclass(frozen=True)
class UsageSummary:
    days: int
    events: int
    active_users: int
    active_days: int
    top_events: list[tuple[str, int]]
    last_day: dt.date | None


def account_usage_summary(*, actor: Any, account: Any, days: int = 30,
                          today: dt.date | None = None) -> UsageSummary | None:
    """The Account 360 summary over the last ``days`` UTC days, or None when the actor may not see product
    usage. (The caller has already shown the account itself to the actor.)"""
    if not can(actor, "view", resource="usage_event"):
        return None
    today = today or dt.datetime.now(dt.UTC).date()
    start = today - dt.timedelta(days=days - 1)
    window = Daily.objects.filter(account_id=account.pk, day__gte=start, day__lte=today)
    top = list(window.values("event").annotate(total=Sum("events")).order_by("-total", "event")
               .values_list("event", "total")[:5])
    totals = window.aggregate(events=Sum("events"), active_days=Count("day", distinct=True))
    last_day = (Daily.objects.filter(account_id=account.pk).order_by("-day").values_list("day", flat=True)
                .first())
    users = active_users(account_ids=[account.pk], start=start, end=today).get(account.pk, 0)
    return UsageSummary(days=days, events=int(totals["events"] or 0), active_users=users,
                        active_days=int(totals["active_days"] or 0), top_events=[(e, int(n)) for e, n in top],
                        last_day=last_day)
