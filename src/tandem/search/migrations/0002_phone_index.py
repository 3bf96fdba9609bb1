"""A trigram index on contacts' phone numbers (PostgreSQL), so a search by digits reads the index, not the table."""

from django.db import migrations

FORWARD = "CREATE INDEX IF NOT EXISTS search_contact_phones_trgm ON contacts_contact USING gin ((phones::text) gin_trgm_ops)"
BACKWARD = "DROP INDEX IF EXISTS search_contact_phones_trgm"


def _run(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_search_indexes"), ("contacts", "0005_import_lookup_indexes")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
