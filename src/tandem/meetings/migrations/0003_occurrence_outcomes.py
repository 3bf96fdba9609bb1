import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("meetings", "0002_default_policy"),
    ]

    operations = [
        migrations.AddField(
            model_name="meetingoverride",
            name="title",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.CreateModel(
            name="MeetingOutcome",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("occurrence_start", models.DateTimeField()),
                ("notes", models.TextField(blank=True, verbose_name="outcome notes")),
                ("activity_id", models.BigIntegerField(blank=True, editable=False, null=True)),
                ("meeting", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="outcomes",
                                              to="meetings.meeting")),
            ],
            options={
                "ordering": ["occurrence_start"],
                "constraints": [models.UniqueConstraint(fields=("meeting", "occurrence_start"),
                                                        name="meeting_outcome_once")],
            },
        ),
    ]
