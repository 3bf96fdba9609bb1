"""Tasks start with the permissions each role has on accounts (you see, change and delete the tasks of the
accounts you may see, change and delete), widened so every working role (all but viewers) may create tasks and
see, change and delete at least its own (assigned to or created by them): everyone has to-dos."""

from django.db import migrations

def seed(apps, schema_editor):
    Permission = apps.get_model("access", "Permission")
    for row in Permission.objects.filter(resource="account"):
        Permission.objects.update_or_create(role_id=row.role_id, resource="task", action=row.action,
                                            defaults={"scope": row.scope})
    Role = apps.get_model("identity", "Role")
    for role in Role.objects.exclude(code="viewer"):
        Permission.objects.update_or_create(role=role, resource="task", action="create",
                                            defaults={"scope": "all"})
        for action in ("view", "change", "delete"):
            row = Permission.objects.filter(role=role, resource="task", action=action).first()
            if row is None:
                Permission.objects.create(role=role, resource="task", action=action, scope="own")


def unseed(apps, schema_editor):
    apps.get_model("access", "Permission").objects.filter(resource="task").delete()


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial"), ("access", "0002_default_policy")]
    operations = [migrations.RunPython(seed, unseed)]
