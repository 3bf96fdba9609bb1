"""Contacts start with the permissions each role has on accounts (administrators can change them), plus:
every working role may add contacts (at accounts it can see — the service checks that), because support,
CSMs and implementation specialists meet new people at customers all the time."""

from django.db import migrations


def seed(apps, schema_editor):
    Permission = apps.get_model("access", "Permission")
    for row in Permission.objects.filter(resource="account"):
        Permission.objects.update_or_create(role_id=row.role_id, resource="contact", action=row.action,
                                            defaults={"scope": row.scope})
    Role = apps.get_model("identity", "Role")
    for role in Role.objects.exclude(code="viewer"):
        Permission.objects.update_or_create(role=role, resource="contact", action="create",
                                            defaults={"scope": "all"})


def unseed(apps, schema_editor):
    apps.get_model("access", "Permission").objects.filter(resource="contact").delete()


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial"), ("access", "0002_default_policy")]
    operations = [migrations.RunPython(seed, unseed)]
