"""Fewer indexes for contacts to maintain (imports write hundreds of thousands of rows): the account and email
columns lose their own indexes, which (account, last_name) and lower(email) already serve, and on PostgreSQL the
varchar_pattern_ops copy of the public id's unique index goes (public ids are matched whole, never by LIKE)."""

import django.db.models.deletion
from django.db import migrations, models


def drop_public_id_pattern_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'contacts_contact' "
                       "AND indexname LIKE 'contacts_contact_public_id%%_like'")
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_saved_views'),
        ('contacts', '0005_import_lookup_indexes'),
    ]

    operations = [
        migrations.RunPython(drop_public_id_pattern_index, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='contact',
            name='account',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='contacts', to='accounts.account', verbose_name='account'),
        ),
        migrations.AlterField(
            model_name='contact',
            name='email',
            field=models.EmailField(blank=True, max_length=254, verbose_name='email'),
        ),
    ]
