"""Partitions and retention: strays move out of the DEFAULT partition, expired raw events go, roll-ups stay."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test import override_settings
from django.utils import timezone

from tandem.usage import partitions, services
from tandem.usage.models import Daily, DailyUser, Event
from tandem.usage.selectors import active_days, usage_daily


def _row(account, message_id, when, user="u1"):
    return services.Row(account.pk, message_id, when, "login", user, "{}")


def _partition_of(message_id: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM usage_event WHERE message_id = %s", [message_id])
        return cursor.fetchone()[0]


def test_raw_events_past_retention_are_deleted_and_the_rollups_kept(accounts):
    now = timezone.now()
    ancient = now - dt.timedelta(days=800)
    services.write_events([_row(accounts[0], "old", ancient), _row(accounts[0], "new", now)], received_at=now)
    if connection.vendor == "postgresql":
        assert _partition_of("old") == "usage_event_default"  # no partition for that month: the default takes it
        partitions.ensure_partitions(ancient.date(), ancient.date())
        month = ancient.date()
        assert _partition_of("old") == f"usage_event_y{month.year:04d}m{month.month:02d}"
    with override_settings(EVENTS_RETENTION_DAYS=400):
        result = services.events_expire(now=now)
    assert set(Event.objects.values_list("message_id", flat=True)) == {"new"}
    assert DailyUser.objects.filter(day=ancient.date()).count() == 0
    assert Daily.objects.filter(day=ancient.date()).get().events == 1  # kept
    if connection.vendor == "postgresql":
        assert result["partitions"] >= 2  # events and per-user sets of that month


def test_the_health_selectors_read_daily_counts_and_active_days(accounts):
    today = timezone.now().replace(hour=12)
    rows = [_row(accounts[0], f"m{n}", today - dt.timedelta(days=n % 3), user=f"u{n % 2}") for n in range(9)]
    rows.append(_row(accounts[1], "other", today))
    services.write_events(rows, received_at=today)
    start, end = (today - dt.timedelta(days=6)).date(), today.date()
    daily = usage_daily(account_ids=[accounts[0].pk], start=start, end=end)
    assert [(d.day, d.events, d.users) for d in daily] == [
        ((today - dt.timedelta(days=2)).date(), 3, 2), ((today - dt.timedelta(days=1)).date(), 3, 2),
        (today.date(), 3, 2)]
    assert active_days(account_ids=[accounts[0].pk, accounts[1].pk, accounts[2].pk], start=start, end=end) == {
        accounts[0].pk: 3, accounts[1].pk: 1}


def test_the_account_page_shows_product_usage_from_the_rollups(accounts, admin):
    from tandem.core.testing.fixtures import logged_in

    now = timezone.now()
    services.write_events([_row(accounts[0], f"p{n}", now - dt.timedelta(hours=n), user=f"u{n % 3}")
                           for n in range(5)], received_at=now)
    page = logged_in(admin).get(f"/accounts/{accounts[0].public_id}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Product usage" in text and "<code>login</code>" in text
