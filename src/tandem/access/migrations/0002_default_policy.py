"""The default permission policy (documented as a table in docs/permissions.md).

Administrators edit these rows afterwards; this migration only seeds them.
"""

from django.db import migrations

ALL_ACTIONS = ("view", "create", "change", "delete", "export")

# role -> {resource -> {action -> scope}}
POLICY = {
    "administrator": {
        "account": {action: "all" for action in ALL_ACTIONS},
        "user": {"view": "all", "create": "all", "change": "all", "delete": "all"},
        "team": {"view": "all", "create": "all", "change": "all", "delete": "all"},
        "access_policy": {"view": "all", "change": "all"},
        "audit_log": {"view": "all", "export": "all"},
    },
    "manager": {
        "account": {"view": "team", "create": "all", "change": "team", "delete": "team", "export": "team"},
        "user": {"view": "all"},
        "team": {"view": "all"},
        "audit_log": {"view": "all"},
    },
    "viewer": {
        "account": {"view": "all", "export": "all"},
        "user": {"view": "all"},
        "team": {"view": "all"},
    },
    "sdr": {"account": {"view": "own", "create": "all", "change": "own"}},
    "ae": {"account": {"view": "own", "create": "all", "change": "own", "export": "own"}},
    "support_tier1": {"account": {"view": "all"}},
    "support_tier2": {"account": {"view": "all"}},
    "am": {"account": {"view": "own", "create": "all", "change": "own", "export": "own"}},
    "implementation": {"account": {"view": "own", "change": "own", "export": "own"}},
    "csm": {"account": {"view": "own", "change": "own", "export": "own"}},
    "renewal": {"account": {"view": "own", "change": "own", "export": "own"}},
}

# Field group "pricing": every role that can view accounts reads it; these write it.
PRICING_WRITERS = {"am", "renewal", "manager", "administrator"}


def seed(apps, schema_editor):
    Role = apps.get_model("identity", "Role")
    Permission = apps.get_model("access", "Permission")
    FieldGroupPermission = apps.get_model("access", "FieldGroupPermission")
    for role in Role.objects.all():
        for resource, actions in POLICY.get(role.code, {}).items():
            for action, scope in actions.items():
                Permission.objects.update_or_create(
                    role=role, resource=resource, action=action, defaults={"scope": scope}
                )
        FieldGroupPermission.objects.update_or_create(
            role=role, resource="account", field_group="pricing",
            defaults={"can_read": True, "can_write": role.code in PRICING_WRITERS},
        )


def unseed(apps, schema_editor):
    apps.get_model("access", "Permission").objects.all().delete()
    apps.get_model("access", "FieldGroupPermission").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("access", "0001_initial"), ("identity", "0002_seed_roles")]
    operations = [migrations.RunPython(seed, unseed)]
