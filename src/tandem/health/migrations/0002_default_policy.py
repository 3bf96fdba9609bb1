"""Health starts with: every role sees the health of the accounts it can see; CSMs, AMs, managers and
administrators set overrides, resolve code-red flags and recompute; every role reads the scorecards and the risk
playbook; administrators change them (and recompute everything, run the backtest)."""

from django.db import migrations

HEALTH_CHANGE = {"csm", "am", "manager", "administrator"}


def seed(apps, schema_editor):
    Permission = apps.get_model("access", "Permission")
    Role = apps.get_model("identity", "Role")
    for role in Role.objects.all():
        rows = [("health", "view"), ("health_scorecard", "view")]
        if role.code in HEALTH_CHANGE:
            rows.append(("health", "change"))
        if role.code == "administrator":
            rows.append(("health_scorecard", "change"))
        for resource, action in rows:
            Permission.objects.update_or_create(role=role, resource=resource, action=action,
                                                defaults={"scope": "all"})


def unseed(apps, schema_editor):
    apps.get_model("access", "Permission").objects.filter(resource__in=("health", "health_scorecard")).delete()


class Migration(migrations.Migration):
    dependencies = [("health", "0001_initial"), ("access", "0002_default_policy"),
                    ("identity", "0002_seed_roles")]
    operations = [migrations.RunPython(seed, unseed)]
