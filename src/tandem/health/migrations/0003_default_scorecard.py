"""A default scorecard for every account (administrators adjust it or add one per tier) and a three-step risk
playbook started when an account is flagged code red."""

from django.db import migrations

# kind, weight, no points at, all points at (as health.logic.DEFAULTS)
COMPONENTS = [
    ("usage_frequency", 25, 2, 20),
    ("usage_trend", 15, -50, 0),
    ("breadth", 10, 1, 8),
    ("seat_utilisation", 15, 10, 70),
    ("support_load", 15, 12, 0),
    ("marketing_engagement", 5, 5, 40),
    ("renewal_proximity", 10, 0, 90),
    ("nps_csat", 5, 0, 10),
]
STEPS = [
    ("Review the account's health, usage and open tickets", "csm", 1),
    ("Call the customer's champion and agree the next steps", "csm", 3),
    ("Agree a recovery plan with the account manager", "am", 7),
]


def seed(apps, schema_editor):
    Scorecard = apps.get_model("health", "Scorecard")
    Component = apps.get_model("health", "ScorecardComponent")
    Step = apps.get_model("health", "PlaybookStep")
    if not Scorecard.objects.exists():
        card = Scorecard.objects.create(name="Default", segment="", active=True)
        for position, (kind, weight, bad, good) in enumerate(COMPONENTS):
            Component.objects.create(scorecard=card, kind=kind, weight=weight, bad=bad, good=good, position=position)
    if not Step.objects.exists():
        for position, (title, role, due_days) in enumerate(STEPS):
            Step.objects.create(title=title, role=role, due_days=due_days, position=position)


def unseed(apps, schema_editor):
    apps.get_model("health", "Scorecard").objects.filter(name="Default", segment="").delete()
    apps.get_model("health", "PlaybookStep").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("health", "0002_default_policy")]
    operations = [migrations.RunPython(seed, unseed)]
