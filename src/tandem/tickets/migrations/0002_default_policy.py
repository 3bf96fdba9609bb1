"""Tickets start with: support (tier 1 and 2) see, open, change and export every ticket; the account team (AM,
CSM, AE, implementation, renewal) see and change the tickets of their accounts ("own" follows the account
scope) and may open tickets; managers their teams'; administrators everything; viewers read all. Routing
rules, SLA policies, business hours and groups (``ticket_config``): support, managers and administrators read
them; managers and administrators change them."""

from django.db import migrations

TICKET = {
    "support_tier1": {"view": "all", "create": "all", "change": "all", "export": "all"},
    "support_tier2": {"view": "all", "create": "all", "change": "all", "export": "all"},
    "am": {"view": "own", "create": "all", "change": "own", "export": "own"},
    "csm": {"view": "own", "create": "all", "change": "own", "export": "own"},
    "ae": {"view": "own", "create": "all"},
    "implementation": {"view": "own", "create": "all", "change": "own"},
    "renewal": {"view": "own", "create": "all"},
    "manager": {"view": "team", "create": "all", "change": "team", "delete": "team", "export": "team"},
    "administrator": {"view": "all", "create": "all", "change": "all", "delete": "all", "export": "all"},
    "viewer": {"view": "all", "export": "all"},
}
TICKET_CONFIG = {
    "support_tier1": {"view": "all"},
    "support_tier2": {"view": "all"},
    "manager": {"view": "all", "change": "all"},
    "administrator": {"view": "all", "change": "all"},
}


def seed(apps, schema_editor):
    Permission = apps.get_model("access", "Permission")
    Role = apps.get_model("identity", "Role")
    roles = {role.code: role for role in Role.objects.all()}
    for resource, table in (("ticket", TICKET), ("ticket_config", TICKET_CONFIG)):
        for code, actions in table.items():
            role = roles.get(code)
            if role is None:
                continue
            for action, scope in actions.items():
                Permission.objects.update_or_create(role=role, resource=resource, action=action,
                                                    defaults={"scope": scope})


def unseed(apps, schema_editor):
    apps.get_model("access", "Permission").objects.filter(resource__in=("ticket", "ticket_config")).delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial"), ("access", "0002_default_policy"),
                    ("identity", "0002_seed_roles")]
    operations = [migrations.RunPython(seed, unseed)]
