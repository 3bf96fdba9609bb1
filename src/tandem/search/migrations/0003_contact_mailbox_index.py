"""Contacts are searched by the part of their address before the @ (the mailbox), not by the whole address.

A contact's address ends with their company's domain, so a search for a company of several words ("Ironbridge
Energy 6") came within the strict threshold of every address at that company and at its namesakes: ~10,000
candidates to recheck on the large demo, the slowest searches there. The mailbox holds what a search by address
means (jiwoo.park), and indexes fewer trigrams on every contact write. Accounts are still found by domain."""

from django.db import migrations

FORWARD = [
    "DROP INDEX IF EXISTS search_contact_email_trgm",
    """CREATE INDEX IF NOT EXISTS search_contact_mailbox_trgm ON contacts_contact
       USING gin ((split_part(email, '@', 1)) gin_trgm_ops)""",
]
BACKWARD = [
    "DROP INDEX IF EXISTS search_contact_mailbox_trgm",
    "CREATE INDEX IF NOT EXISTS search_contact_email_trgm ON contacts_contact USING gin (email gin_trgm_ops)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0002_phone_index")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
