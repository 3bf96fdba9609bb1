"""The default policy of leads, opportunities and pipelines (documented in docs/permissions.md).

* Leads belong to sales development: SDRs and account executives see and change their own, managers their
  team's, administrators all; viewers read them all.
* Opportunities follow the people who work them: owners and creators, and everyone on the account's team
  (``own``), managers their team's. Every selling role — and the CSM, who spots expansion — may create them.
* The ``pricing`` field group (MRR change, one-off amount) is read by every role that sees opportunities and
  written by SDRs (an estimate at qualification), account executives, account managers, renewal specialists,
  managers and administrators — not by CSMs, who hand price talk to the account manager.
* Pipelines: everyone reads the stages; administrators change them."""

from django.db import migrations

OPPORTUNITY = {
    "sdr": {"view": "own", "create": "all", "change": "own"},
    "ae": {"view": "own", "create": "all", "change": "own", "export": "own"},
    "am": {"view": "own", "create": "all", "change": "own", "export": "own"},
    "implementation": {"view": "own"},
    "csm": {"view": "own", "create": "all", "change": "own"},
    "renewal": {"view": "own", "create": "all", "change": "own", "export": "own"},
    "manager": {"view": "team", "create": "all", "change": "team", "delete": "team", "export": "team"},
    "administrator": {"view": "all", "create": "all", "change": "all", "delete": "all", "export": "all"},
    "viewer": {"view": "all", "export": "all"},
}
LEAD = {
    "sdr": {"view": "own", "create": "all", "change": "own", "export": "own"},
    "ae": {"view": "own", "create": "all", "change": "own", "export": "own"},
    "manager": {"view": "team", "create": "all", "change": "team", "delete": "team", "export": "team"},
    "administrator": {"view": "all", "create": "all", "change": "all", "delete": "all", "export": "all"},
    "viewer": {"view": "all", "export": "all"},
}
PRICING_WRITE = {"sdr", "ae", "am", "renewal", "manager", "administrator"}
PRICING_READ = {"implementation", "csm", "viewer"}


def seed(apps, schema_editor):
    Role = apps.get_model("identity", "Role")
    Permission = apps.get_model("access", "Permission")
    FieldGroupPermission = apps.get_model("access", "FieldGroupPermission")
    for role in Role.objects.all():
        for resource, table in (("opportunity", OPPORTUNITY), ("lead", LEAD)):
            for action, scope in table.get(role.code, {}).items():
                Permission.objects.update_or_create(role=role, resource=resource, action=action,
                                                    defaults={"scope": scope})
        Permission.objects.update_or_create(role=role, resource="pipeline", action="view", defaults={"scope": "all"})
        if role.code == "administrator":
            Permission.objects.update_or_create(role=role, resource="pipeline", action="change",
                                                defaults={"scope": "all"})
        FieldGroupPermission.objects.update_or_create(  # a row for every role: the editor shows the group
            role=role, resource="opportunity", field_group="pricing",
            defaults={"can_read": role.code in PRICING_WRITE | PRICING_READ, "can_write": role.code in PRICING_WRITE})


def unseed(apps, schema_editor):
    apps.get_model("access", "Permission").objects.filter(resource__in=("opportunity", "lead", "pipeline")).delete()
    apps.get_model("access", "FieldGroupPermission").objects.filter(resource="opportunity").delete()


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0001_initial"), ("access", "0002_default_policy"), ("identity", "0002_seed_roles")]
    operations = [migrations.RunPython(seed, unseed)]
