"""Product usage: every role may see the usage summaries of the accounts it can see; only administrators
may send events (integration tokens belong to an administrator or to a role given `create`)."""

from django.db import migrations


def seed(apps, schema_editor):
    Permission = apps.get_model("access", "Permission")
    Role = apps.get_model("identity", "Role")
    for role in Role.objects.all():
        Permission.objects.update_or_create(role=role, resource="usage_event", action="view",
                                            defaults={"scope": "all"})
        if role.code == "administrator":
            Permission.objects.update_or_create(role=role, resource="usage_event", action="create",
                                                defaults={"scope": "all"})


def unseed(apps, schema_editor):
    apps.get_model("access", "Permission").objects.filter(resource="usage_event").delete()


class Migration(migrations.Migration):
    dependencies = [("usage", "0002_event_tables"), ("access", "0002_default_policy")]
    operations = [migrations.RunPython(seed, unseed)]
