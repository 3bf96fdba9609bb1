"""The default policy of comments, handoffs and handoff templates (documented in docs/permissions.md).

* Comments: a comment is readable and writable by whoever may view its record (the selectors and services check
  the record); these rows gate the actions. Every role reads comments; every working role comments and edits or
  deletes its own; administrators edit and delete any (moderation). Viewers read only.
* Handoffs: each working role sees the handoffs it sends or receives (own) and may start them (at accounts it may
  change — the service checks); managers see and manage those of their teams' people and accounts; viewers and
  administrators see all, administrators manage all.
* Handoff templates: everyone reads them (to start a handoff); administrators add and change them."""

from django.db import migrations

WORKING_ROLES = ("sdr", "ae", "am", "implementation", "csm", "renewal", "support_tier1", "support_tier2")


def _rules(code):
    if code == "administrator":
        return {"comment": {"view": "all", "create": "all", "change": "all", "delete": "all"},
                "handoff": {"view": "all", "create": "all", "change": "all"},
                "handoff_template": {"view": "all", "create": "all", "change": "all"}}
    if code == "viewer":
        return {"comment": {"view": "all"}, "handoff": {"view": "all"}, "handoff_template": {"view": "all"}}
    if code == "manager":
        return {"comment": {"view": "all", "create": "all", "change": "own", "delete": "own"},
                "handoff": {"view": "team", "create": "all", "change": "team"},
                "handoff_template": {"view": "all"}}
    if code in WORKING_ROLES:
        return {"comment": {"view": "all", "create": "all", "change": "own", "delete": "own"},
                "handoff": {"view": "own", "create": "all", "change": "own"},
                "handoff_template": {"view": "all"}}
    return {}


def seed(apps, schema_editor):
    Permission = apps.get_model("access", "Permission")
    Role = apps.get_model("identity", "Role")
    for role in Role.objects.all():
        for resource, actions in _rules(role.code).items():
            for action, scope in actions.items():
                Permission.objects.update_or_create(role=role, resource=resource, action=action,
                                                    defaults={"scope": scope})


def unseed(apps, schema_editor):
    apps.get_model("access", "Permission").objects.filter(
        resource__in=("comment", "handoff", "handoff_template")).delete()


class Migration(migrations.Migration):
    dependencies = [("collaboration", "0001_initial"), ("access", "0002_default_policy")]
    operations = [migrations.RunPython(seed, unseed)]
