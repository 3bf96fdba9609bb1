"""Typo-tolerant search indexes.

PostgreSQL: the pg_trgm extension and trigram GIN indexes on account names/domains and contact
names/emails. SQLite: FTS5 tables with the trigram tokenizer, kept in sync with the base tables by
triggers (so bulk inserts are indexed too)."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE search_account_fts USING fts5(
           name, domain, content='accounts_account', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER search_account_ai AFTER INSERT ON accounts_account BEGIN
           INSERT INTO search_account_fts(rowid, name, domain) VALUES (new.id, new.name, new.domain); END""",
    """CREATE TRIGGER search_account_ad AFTER DELETE ON accounts_account BEGIN
           INSERT INTO search_account_fts(search_account_fts, rowid, name, domain)
           VALUES ('delete', old.id, old.name, old.domain); END""",
    """CREATE TRIGGER search_account_au AFTER UPDATE OF name, domain ON accounts_account BEGIN
           INSERT INTO search_account_fts(search_account_fts, rowid, name, domain)
           VALUES ('delete', old.id, old.name, old.domain);
           INSERT INTO search_account_fts(rowid, name, domain) VALUES (new.id, new.name, new.domain); END""",
    "INSERT INTO search_account_fts(search_account_fts) VALUES ('rebuild')",
    """CREATE VIRTUAL TABLE search_contact_fts USING fts5(
           first_name, last_name, email, phones, content='contacts_contact', content_rowid='id',
           tokenize='trigram')""",
    """CREATE TRIGGER search_contact_ai AFTER INSERT ON contacts_contact BEGIN
           INSERT INTO search_contact_fts(rowid, first_name, last_name, email, phones)
           VALUES (new.id, new.first_name, new.last_name, new.email, new.phones); END""",
    """CREATE TRIGGER search_contact_ad AFTER DELETE ON contacts_contact BEGIN
           INSERT INTO search_contact_fts(search_contact_fts, rowid, first_name, last_name, email, phones)
           VALUES ('delete', old.id, old.first_name, old.last_name, old.email, old.phones); END""",
    """CREATE TRIGGER search_contact_au AFTER UPDATE OF first_name, last_name, email, phones ON contacts_contact
       BEGIN
           INSERT INTO search_contact_fts(search_contact_fts, rowid, first_name, last_name, email, phones)
           VALUES ('delete', old.id, old.first_name, old.last_name, old.email, old.phones);
           INSERT INTO search_contact_fts(rowid, first_name, last_name, email, phones)
           VALUES (new.id, new.first_name, new.last_name, new.email, new.phones); END""",
    "INSERT INTO search_contact_fts(search_contact_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_account_ai", "DROP TRIGGER IF EXISTS search_account_ad",
    "DROP TRIGGER IF EXISTS search_account_au", "DROP TABLE IF EXISTS search_account_fts",
    "DROP TRIGGER IF EXISTS search_contact_ai", "DROP TRIGGER IF EXISTS search_contact_ad",
    "DROP TRIGGER IF EXISTS search_contact_au", "DROP TABLE IF EXISTS search_contact_fts",
]
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS search_account_name_trgm ON accounts_account USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS search_account_domain_trgm ON accounts_account USING gin (domain gin_trgm_ops)",
    """CREATE INDEX IF NOT EXISTS search_contact_name_trgm ON contacts_contact
       USING gin ((first_name || ' ' || last_name) gin_trgm_ops)""",
    "CREATE INDEX IF NOT EXISTS search_contact_email_trgm ON contacts_contact USING gin (email gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_account_name_trgm", "DROP INDEX IF EXISTS search_account_domain_trgm",
    "DROP INDEX IF EXISTS search_contact_name_trgm", "DROP INDEX IF EXISTS search_contact_email_trgm",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_account_team_history"), ("contacts", "0002_default_policy")]
    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
