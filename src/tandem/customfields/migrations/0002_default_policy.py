"""Administrators manage custom-field definitions; everyone else may read them (to render forms)."""

from django.db import migrations


def seed(apps, schema_editor):
    Role = apps.get_model("identity", "Role")
    Permission = apps.get_model("access", "Permission")
    for role in Role.objects.all():
        actions = ("view", "create", "change", "delete") if role.code == "administrator" else ("view",)
        for action in actions:
            Permission.objects.update_or_create(role=role, resource="custom_field", action=action,
                                                defaults={"scope": "all"})


def unseed(apps, schema_editor):
    apps.get_model("access", "Permission").objects.filter(resource="custom_field").delete()


class Migration(migrations.Migration):
    dependencies = [("customfields", "0001_initial"), ("access", "0002_default_policy")]
    operations = [migrations.RunPython(seed, unseed)]
