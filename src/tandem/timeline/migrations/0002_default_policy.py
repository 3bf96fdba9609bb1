"""Activities start with the permissions each role has on accounts (you see, change and delete the timeline of
the accounts you may see, change and delete; administrators can change this), plus: every working role may log
activities (on accounts it can see — the service checks that), because everyone who talks to a customer should
be able to write it down."""

from django.db import migrations


def seed(apps, schema_editor):
    Permission = apps.get_model("access", "Permission")
    for row in Permission.objects.filter(resource="account"):
        Permission.objects.update_or_create(role_id=row.role_id, resource="activity", action=row.action,
                                            defaults={"scope": row.scope})
    Role = apps.get_model("identity", "Role")
    for role in Role.objects.exclude(code="viewer"):
        Permission.objects.update_or_create(role=role, resource="activity", action="create",
                                            defaults={"scope": "all"})


def unseed(apps, schema_editor):
    apps.get_model("access", "Permission").objects.filter(resource="activity").delete()


class Migration(migrations.Migration):
    dependencies = [("timeline", "0001_initial"), ("access", "0002_default_policy")]
    operations = [migrations.RunPython(seed, unseed)]
