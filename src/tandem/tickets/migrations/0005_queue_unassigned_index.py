"""The unassigned queue has no tier: its partial index leads with the deadline, like its ORDER BY."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0004_support_mail'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='ticket',
            name='ticket_queue_unassigned',
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(
                condition=models.Q(('assignee__isnull', True),
                                   ('status__in', ('new', 'open', 'pending_customer', 'on_hold'))),
                fields=['queue_due_at', 'id'], name='ticket_queue_unassigned_due'),
        ),
    ]
