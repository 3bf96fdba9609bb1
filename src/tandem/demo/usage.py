"""Demo product usage that drives churn the way it does in life: every subscribed account uses the product from
its subscription's start (daily roll-ups written directly, for volume, plus today's raw events through the
ingestion service), marketing mail goes out weekly, tickets come in now and then — and in the two to four
months before a subscription is cancelled, usage fades, mail goes unread and tickets spike. Some healthy
accounts have a dip that passes, so the signal is real but not perfect. Then the health scores of the last
60 days are computed (the chart and code red have a history) and the churn model predicts."""

from __future__ import annotations

import datetime
import random
import uuid
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from tandem.access.decide import SYSTEM
from tandem.health import backtest, features, recompute
from tandem.tickets.models import Ticket
from tandem.usage import services as usage_services
from tandem.usage.models import Daily

FEATURES = ("dashboard.viewed", "report.created", "report.exported", "project.created", "task.completed",
            "integration.synced", "comment.posted", "file.uploaded", "search.performed", "automation.ran")
TICKET_SUBJECTS = ("Sync keeps failing", "Report is wrong", "Cannot invite users", "Slow dashboards",
                   "Export times out", "Billing question", "Login problems", "Data missing after import")
HISTORY_DAYS = 60  # daily health snapshots computed for the chart


def _multiplier(day: datetime.date, endings: list[datetime.date], declines: dict[datetime.date, int],
                restarts: list[datetime.date], dip: tuple[datetime.date, datetime.date] | None) -> float:
    """How much of its normal usage the account has on ``day`` (0 after a cancellation until a restart)."""
    factor = 1.0
    for ending in endings:
        restart = min((r for r in restarts if r > ending), default=None)
        if ending <= day and (restart is None or day < restart):
            return 0.0
        decline = declines[ending]
        if ending - datetime.timedelta(days=decline) <= day < ending:
            factor = min(factor, 1.0 - 0.9 * (day - (ending - datetime.timedelta(days=decline))).days / decline)
    if dip and dip[0] <= day < dip[1]:
        factor = min(factor, 0.55)
    return factor


def demo_usage(*, seed: int, progress: Callable[[str], None] = print, today: datetime.date | None = None) -> int:
    """Write the usage history; returns how many roll-up rows were written (0 when it exists already)."""
    if Daily.objects.filter(event="dashboard.viewed").exists():
        return 0
    rng = random.Random(seed * 7877 + 11)  # its own stream: adding usage changes no other demo data
    today = today or timezone.now().astimezone(datetime.UTC).date()
    history = features.contract_history()
    restarts_of: dict[int, list[datetime.date]] = {}
    for subscription_id, changes in history.changes.items():
        account_id = history.account_of[subscription_id]
        restarts_of.setdefault(account_id, []).extend(day for day, kind, _s, _m in changes if kind == "reactivation")
    rows: list[Daily] = []
    tickets: list[tuple[int, datetime.datetime, str]] = []
    written = 0
    for account_id, first in sorted(history.first_day.items()):
        endings = sorted(history.endings.get(account_id, []))
        declines = {ending: rng.randint(60, 120) for ending in endings}
        states = history.states_before(today + datetime.timedelta(days=1)).get(account_id, [])
        seats = max((s.seats for s in states), default=10) or 10
        users = max(2, int(seats * rng.uniform(0.35, 0.85)))
        names = rng.sample(FEATURES, rng.randint(4, 9))
        intensity = rng.uniform(2.0, 6.0)
        dip = None
        if not endings and rng.random() < 0.15:
            dip_start = today - datetime.timedelta(days=rng.randint(30, 400))
            dip = (dip_start, dip_start + datetime.timedelta(days=rng.randint(20, 45)))
        day = first
        while day < today:
            factor = _multiplier(day, endings, declines, restarts_of.get(account_id, []), dip)
            weekday = day.weekday() < 5
            if factor > 0 and rng.random() < (0.9 if weekday else 0.25) * (0.3 + 0.7 * factor):
                active_users = max(1, int(users * factor * rng.uniform(0.6, 1.0)))
                used = names[:max(1, round(len(names) * (0.4 + 0.6 * factor)))]
                for name in rng.sample(used, max(1, min(len(used), rng.randint(2, 5)))):
                    count = max(1, int(active_users * intensity * rng.uniform(0.3, 1.0) / 2))
                    rows.append(Daily(account_id=account_id, day=day, event=name, events=count,
                                      users=max(1, min(active_users, count))))
            if factor > 0 and day.weekday() == 1:  # the weekly newsletter
                opened = int(users * rng.uniform(0.25, 0.45) * factor)
                rows.append(Daily(account_id=account_id, day=day, event="email.sent", events=users, users=users))
                if opened:
                    rows.append(Daily(account_id=account_id, day=day, event="email.opened", events=opened,
                                      users=opened))
                    clicked = int(opened * rng.uniform(0.1, 0.4))
                    if clicked:
                        rows.append(Daily(account_id=account_id, day=day, event="email.clicked", events=clicked,
                                          users=clicked))
                if factor < 0.5 and rng.random() < 0.3:
                    rows.append(Daily(account_id=account_id, day=day, event="email.unsubscribed", events=1, users=1))
            if factor > 0 and rng.random() < 1 / 50:
                tickets.append((account_id, _moment(rng, day), rng.choice(("low", "normal", "normal", "high"))))
            day += datetime.timedelta(days=1)
            if len(rows) >= 20_000:
                written += _flush(rows)
        for ending in endings:  # the spike before a cancellation
            for _index in range(rng.randint(3, 6)):
                when = ending - datetime.timedelta(days=rng.randint(3, 60))
                tickets.append((account_id, _moment(rng, when), rng.choice(("high", "high", "urgent", "normal"))))
    written += _flush(rows)
    _tickets(rng, tickets, today)
    _todays_events(rng, today)
    progress(f"  product usage: {written:,} daily roll-up rows, {len(tickets):,} tickets")
    return written


def _moment(rng: random.Random, day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(rng.randint(7, 18), rng.randint(0, 59)),
                                     tzinfo=datetime.UTC)


def _flush(rows: list[Daily]) -> int:
    count = len(rows)
    if rows:
        with transaction.atomic():
            Daily.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
        rows.clear()
    return count


def _tickets(rng: random.Random, planned: list[tuple[int, datetime.datetime, str]], today: datetime.date) -> None:
    """Bulk tickets (no timeline entries: history, not news), solved unless recent."""
    now = timezone.now()
    created = Ticket.objects.bulk_create([
        Ticket(subject=rng.choice(TICKET_SUBJECTS), account_id=account_id, priority=priority, channel="email",
               status="solved" if (now - when).days > 7 else "open",
               solved_at=when + datetime.timedelta(days=2) if (now - when).days > 7 else None)
        for account_id, when, priority in planned if when.date() < today], batch_size=2000)
    for ticket, (_account, when, _priority) in zip(created, [p for p in planned if p[1].date() < today],
                                                   strict=True):
        ticket.created_at = when
    Ticket.objects.bulk_update(created, ["created_at"], batch_size=2000)


def _todays_events(rng: random.Random, today: datetime.date) -> None:
    """A few raw events through the real ingestion path (stored, rolled up, accounts marked dirty)."""
    active = sorted(Daily.objects.filter(day=today - datetime.timedelta(days=1)).values_list("account_id", flat=True)
                    .distinct())[:200]
    now = timezone.now()
    from tandem.accounts.models import Account

    public = dict(Account.objects.filter(pk__in=active).values_list("pk", "public_id"))
    items = [{"message_id": uuid.uuid4().hex, "account": public[account_id], "user": f"user-{rng.randint(1, 9)}",
              "event": rng.choice(FEATURES), "timestamp": (now - datetime.timedelta(minutes=rng.randint(1, 600))
                                                           ).isoformat(), "properties": {"demo": True}}
             for account_id in active for _index in range(3)]
    if not items:
        return
    for start in range(0, len(items), 1000):
        usage_services.events_ingest(actor=SYSTEM, items=items[start:start + 1000])


def demo_health(*, progress: Callable[[str], None] = print, today: datetime.date | None = None) -> None:
    """The last 60 days of daily scores (oldest first, so code red fires where it would have), then predictions."""
    from tandem.accounts.models import Account

    today = today or timezone.now().astimezone(datetime.UTC).date()
    days = HISTORY_DAYS if Account.objects.count() <= 5000 else 0  # the large demo: today's scores only
    for offset in range(days, -1, -1):
        day = today - datetime.timedelta(days=offset)
        moment = datetime.datetime.combine(day, datetime.time(3), tzinfo=datetime.UTC)
        recompute.recompute_all(now=min(moment, timezone.now()))
    stored = backtest.predictions_refresh(today=today)
    progress(f"  health: {days + 1} days of scores, {stored:,} churn predictions")
