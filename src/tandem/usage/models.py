"""Product-usage events and their daily roll-ups (docs/usage-events.md).

``Event`` and ``DailyUser`` are created by hand-written SQL (``migrations/0002_event_tables``): on PostgreSQL
they are range-partitioned by month, which Django's schema editor cannot express, so Django does not manage
them. Every key starts with the account id, so the tables can later be distributed by account (Citus).
Accounts are referenced by their integer id without a foreign-key constraint: the ingestion path must not
pay for a constraint check per event.
"""

from __future__ import annotations

from django.db import models


class Event(models.Model):
    """One raw event. Unique by (account, message id, timestamp): a retried batch is stored once."""

    pk = models.CompositePrimaryKey("account_id", "message_id", "timestamp")
    account_id = models.BigIntegerField()
    message_id = models.CharField(max_length=100)
    timestamp = models.DateTimeField()
    event = models.CharField(max_length=200)
    user_id = models.CharField(max_length=200, blank=True, default="")
    properties = models.JSONField(default=dict)
    received_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "usage_event"

    def __str__(self) -> str:
        return f"{self.event} {self.message_id}"


class DailyUser(models.Model):
    """The set of distinct end users per account x UTC day x event, so distinct-user counts stay exact when
    events arrive in many batches (a user is counted in ``Daily.users`` only when its row here is new)."""

    pk = models.CompositePrimaryKey("account_id", "day", "event", "user_id")
    account_id = models.BigIntegerField()
    day = models.DateField()
    event = models.CharField(max_length=200)
    user_id = models.CharField(max_length=200)

    class Meta:
        managed = False
        db_table = "usage_dailyuser"

    def __str__(self) -> str:
        return f"{self.day} {self.event} {self.user_id}"


class Daily(models.Model):
    """The daily roll-up: events and distinct users per account x UTC day x event, maintained in the same
    transaction as the events it counts. Kept after the raw events expire."""

    pk = models.CompositePrimaryKey("account_id", "day", "event")
    account_id = models.BigIntegerField()
    day = models.DateField()
    event = models.CharField(max_length=200)
    events = models.BigIntegerField(default=0)
    users = models.BigIntegerField(default=0)

    class Meta:
        db_table = "usage_daily"

    def __str__(self) -> str:
        return f"{self.day} {self.event}: {self.events}"


class DirtyAccount(models.Model):
    """Accounts that received new events since a health job last claimed them (``services.claim_dirty_accounts``).
    ``marked_at`` is when the oldest unclaimed new event was stored."""

    account_id = models.BigIntegerField(primary_key=True)
    marked_at = models.DateTimeField()

    class Meta:
        db_table = "usage_dirtyaccount"

    def __str__(self) -> str:
        return f"account {self.account_id} since {self.marked_at}"
