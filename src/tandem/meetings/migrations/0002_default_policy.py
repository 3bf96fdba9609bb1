"""Meetings start with the scope each role has to view accounts (administrators all, managers their teams',
CSMs and AMs their own — the meetings they organise or attend; viewers read all), plus: every working role may
create meetings and change, cancel or delete its own (or wider, as on accounts), because everyone meets
customers and colleagues."""

from django.db import migrations

RANK = {"own": 0, "team": 1, "all": 2}


def seed(apps, schema_editor):
    Permission = apps.get_model("access", "Permission")
    Role = apps.get_model("identity", "Role")
    for role in Role.objects.all():
        account = {row.action: row.scope for row in Permission.objects.filter(role=role, resource="account")}
        if "view" in account:
            Permission.objects.update_or_create(role=role, resource="meeting", action="view",
                                                defaults={"scope": account["view"]})
        if "export" in account:
            Permission.objects.update_or_create(role=role, resource="meeting", action="export",
                                                defaults={"scope": account["export"]})
        if role.code == "viewer":
            continue
        Permission.objects.update_or_create(role=role, resource="meeting", action="create",
                                            defaults={"scope": "all"})
        if "view" not in account:
            Permission.objects.update_or_create(role=role, resource="meeting", action="view",
                                                defaults={"scope": "own"})
        for action in ("change", "delete"):
            scope = max(account.get(action, "own"), "own", key=RANK.__getitem__)
            Permission.objects.update_or_create(role=role, resource="meeting", action=action,
                                                defaults={"scope": scope})


def unseed(apps, schema_editor):
    apps.get_model("access", "Permission").objects.filter(resource="meeting").delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial"), ("access", "0002_default_policy")]
    operations = [migrations.RunPython(seed, unseed)]
