"""The raw events and the per-user daily sets, by hand: on PostgreSQL both are range-partitioned by month
(docs/usage-events.md) with a DEFAULT partition; on SQLite they are plain WITHOUT ROWID tables."""

from django.conf import settings
from django.db import migrations

POSTGRES = [
    """CREATE TABLE usage_event (
        account_id bigint NOT NULL,
        message_id varchar(100) NOT NULL,
        "timestamp" timestamptz NOT NULL,
        event varchar(200) NOT NULL,
        user_id varchar(200) NOT NULL DEFAULT '',
        properties jsonb NOT NULL DEFAULT '{}',
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_id, message_id, "timestamp")
    ) PARTITION BY RANGE ("timestamp")""",
    "CREATE TABLE usage_event_default PARTITION OF usage_event DEFAULT",
    """CREATE TABLE usage_dailyuser (
        account_id bigint NOT NULL,
        day date NOT NULL,
        event varchar(200) NOT NULL,
        user_id varchar(200) NOT NULL,
        PRIMARY KEY (account_id, day, event, user_id)
    ) PARTITION BY RANGE (day)""",
    "CREATE TABLE usage_dailyuser_default PARTITION OF usage_dailyuser DEFAULT",
]
SQLITE = [
    """CREATE TABLE usage_event (
        account_id bigint NOT NULL,
        message_id varchar(100) NOT NULL,
        "timestamp" datetime NOT NULL,
        event varchar(200) NOT NULL,
        user_id varchar(200) NOT NULL DEFAULT '',
        properties text NOT NULL DEFAULT '{}',
        received_at datetime NOT NULL,
        PRIMARY KEY (account_id, message_id, "timestamp")
    ) WITHOUT ROWID""",
    'CREATE INDEX usage_event_timestamp ON usage_event ("timestamp")',
    """CREATE TABLE usage_dailyuser (
        account_id bigint NOT NULL,
        day date NOT NULL,
        event varchar(200) NOT NULL,
        user_id varchar(200) NOT NULL,
        PRIMARY KEY (account_id, day, event, user_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX usage_dailyuser_day ON usage_dailyuser (day)",
]


def create(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for statement in POSTGRES if postgres else SQLITE:
        schema_editor.execute(statement)
    if postgres:
        from tandem.usage.partitions import ensure_current_partitions

        ensure_current_partitions(past_days=settings.EVENTS_MAX_PAST_DAYS)


def drop(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS usage_event CASCADE" if schema_editor.connection.vendor ==
                          "postgresql" else "DROP TABLE IF EXISTS usage_event")
    schema_editor.execute("DROP TABLE IF EXISTS usage_dailyuser")


class Migration(migrations.Migration):
    dependencies = [("usage", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
