"""Default permissions for the renewal settings (documented in docs/permissions.md): everyone who works
renewals — account managers, renewal specialists, CSMs, account executives, managers, administrators and
viewers — reads the playbook and the multi-year discounts; administrators change them."""

from django.db import migrations

VIEW = {"ae", "am", "csm", "renewal", "manager", "administrator", "viewer"}
CHANGE = {"administrator"}


def seed(apps, schema_editor):
    Role = apps.get_model("identity", "Role")
    Permission = apps.get_model("access", "Permission")
    for role in Role.objects.filter(code__in=VIEW):
        Permission.objects.update_or_create(role=role, resource="renewal_settings", action="view",
                                            defaults={"scope": "all"})
        if role.code in CHANGE:
            Permission.objects.update_or_create(role=role, resource="renewal_settings", action="change",
                                                defaults={"scope": "all"})


def unseed(apps, schema_editor):
    apps.get_model("access", "Permission").objects.filter(resource="renewal_settings").delete()


class Migration(migrations.Migration):
    dependencies = [("renewals", "0001_initial"), ("access", "0002_default_policy")]
    operations = [migrations.RunPython(seed, unseed)]
