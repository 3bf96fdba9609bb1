"""Administrators see notification deliveries that failed and may send them again."""

from django.db import migrations


def seed(apps, schema_editor):
    Permission = apps.get_model("access", "Permission")
    Role = apps.get_model("identity", "Role")
    for role in Role.objects.filter(code="administrator"):
        for action in ("view", "change"):
            Permission.objects.update_or_create(role=role, resource="notification_delivery", action=action,
                                                defaults={"scope": "all"})


def unseed(apps, schema_editor):
    apps.get_model("access", "Permission").objects.filter(resource="notification_delivery").delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial"), ("access", "0002_default_policy")]
    operations = [migrations.RunPython(seed, unseed)]
