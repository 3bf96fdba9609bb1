"""Files follow accounts: whoever may view an account sees its files; whoever may change it adds and deletes."""

from django.db import migrations


def seed(apps, schema_editor):
    Permission = apps.get_model("access", "Permission")
    for row in Permission.objects.filter(resource="account", action__in=("view", "change")):
        actions = ("view",) if row.action == "view" else ("create", "delete")
        for action in actions:
            Permission.objects.update_or_create(role_id=row.role_id, resource="file", action=action,
                                                defaults={"scope": row.scope})


def unseed(apps, schema_editor):
    apps.get_model("access", "Permission").objects.filter(resource="file").delete()


class Migration(migrations.Migration):
    dependencies = [("files", "0001_initial"), ("access", "0002_default_policy")]
    operations = [migrations.RunPython(seed, unseed)]
