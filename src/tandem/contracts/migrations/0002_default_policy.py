"""Default permissions for subscriptions and the catalog (documented in docs/permissions.md).

Subscriptions are read by everyone who reads the account (the account's view and export rows are copied);
account executives and account managers create them, account managers, renewal specialists, CSMs, managers and
administrators change them within their account scope. The ``pricing`` field group (unit prices, discount, term)
copies the account ``pricing`` rows: every role reads it, account managers, renewal specialists, managers and
administrators write it — a CSM changes seats or auto-renew but hands price talk to the account manager.
Everyone reads the catalog; managers and administrators change it."""

from django.db import migrations

CREATE = {"ae": "all", "am": "all", "renewal": "all", "manager": "all", "administrator": "all"}
CHANGE = {"am": "own", "renewal": "own", "csm": "own", "manager": "team", "administrator": "all"}
DELETE = {"administrator": "all"}
CATALOG_CHANGE = {"manager", "administrator"}


def seed(apps, schema_editor):
    Role = apps.get_model("identity", "Role")
    Permission = apps.get_model("access", "Permission")
    FieldGroupPermission = apps.get_model("access", "FieldGroupPermission")
    for row in Permission.objects.filter(resource="account", action__in=("view", "export")):
        Permission.objects.update_or_create(role_id=row.role_id, resource="subscription", action=row.action,
                                            defaults={"scope": row.scope})
    for role in Role.objects.all():
        for action, table in (("create", CREATE), ("change", CHANGE), ("delete", DELETE)):
            if role.code in table:
                Permission.objects.update_or_create(role=role, resource="subscription", action=action,
                                                    defaults={"scope": table[role.code]})
        Permission.objects.update_or_create(role=role, resource="catalog", action="view",
                                            defaults={"scope": "all"})
        if role.code in CATALOG_CHANGE:
            Permission.objects.update_or_create(role=role, resource="catalog", action="change",
                                                defaults={"scope": "all"})
    for row in FieldGroupPermission.objects.filter(resource="account", field_group="pricing"):
        FieldGroupPermission.objects.update_or_create(
            role_id=row.role_id, resource="subscription", field_group="pricing",
            defaults={"can_read": row.can_read, "can_write": row.can_write})


def unseed(apps, schema_editor):
    apps.get_model("access", "Permission").objects.filter(resource__in=("subscription", "catalog")).delete()
    apps.get_model("access", "FieldGroupPermission").objects.filter(resource="subscription").delete()


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial"), ("access", "0002_default_policy")]
    operations = [migrations.RunPython(seed, unseed)]
