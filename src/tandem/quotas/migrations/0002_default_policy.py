"""Default permissions for quotas (documented in docs/permissions.md): everyone with a target sees their own;
managers see and set their team's; administrators everyone's; viewers (executives) read them all."""

from django.db import migrations

OWN_VIEW = {"sdr", "ae", "am", "renewal", "csm", "implementation", "support_tier1", "support_tier2"}
TABLE = {
    "manager": {"view": "team", "create": "team", "change": "team", "delete": "team"},
    "administrator": {"view": "all", "create": "all", "change": "all", "delete": "all"},
    "viewer": {"view": "all"},
}


def seed(apps, schema_editor):
    Role = apps.get_model("identity", "Role")
    Permission = apps.get_model("access", "Permission")
    for role in Role.objects.all():
        table = TABLE.get(role.code, {"view": "own"} if role.code in OWN_VIEW else {})
        for action, scope in table.items():
            Permission.objects.update_or_create(role=role, resource="quota", action=action, defaults={"scope": scope})


def unseed(apps, schema_editor):
    apps.get_model("access", "Permission").objects.filter(resource="quota").delete()


class Migration(migrations.Migration):
    dependencies = [("quotas", "0001_initial"), ("access", "0002_default_policy")]
    operations = [migrations.RunPython(seed, unseed)]
