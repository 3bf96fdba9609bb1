"""Checklists for the usual transitions (PRODUCT.md and issue 4): AE → implementation, implementation → CSM,
AM → renewal specialist, and SDR → AE. Administrators edit them afterwards (Administration → Handoff templates)."""

import secrets

from django.db import migrations

TEMPLATES = [
    ("sdr", "ae", "SDR → account executive", [
        "Lead qualified (need, budget, timing)",
        "Main contact and decision maker named",
        "Demo booked",
    ]),
    ("ae", "implementation", "Account executive → implementation", [
        "Customer goals captured",
        "Contacts named (champion, admin, executive sponsor)",
        "Contract attached",
        "Kick-off date proposed",
    ]),
    ("implementation", "csm", "Implementation → customer success", [
        "Configuration done and documented",
        "Admins and first users trained",
        "Initial usage plan agreed",
        "Open issues and risks listed",
    ]),
    ("am", "renewal", "Account manager → renewal specialist", [
        "Contract terms and renewal date confirmed",
        "Pricing and discount history noted",
        "Decision makers for the renewal named",
        "Risks and expansion opportunities noted",
    ]),
]


def seed(apps, schema_editor):
    Role = apps.get_model("identity", "Role")
    HandoffTemplate = apps.get_model("collaboration", "HandoffTemplate")
    roles = {role.code: role for role in Role.objects.all()}
    for from_code, to_code, name, checklist in TEMPLATES:
        if from_code not in roles or to_code not in roles:
            continue
        HandoffTemplate.objects.get_or_create(
            from_role=roles[from_code], to_role=roles[to_code],
            defaults={"name": name, "checklist": checklist, "public_id": secrets.token_urlsafe(12)})


def unseed(apps, schema_editor):
    HandoffTemplate = apps.get_model("collaboration", "HandoffTemplate")
    for from_code, to_code, _name, _checklist in TEMPLATES:
        HandoffTemplate.objects.filter(from_role__code=from_code, to_role__code=to_code, handoffs__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("collaboration", "0002_default_policy"), ("identity", "0002_seed_roles")]
    operations = [migrations.RunPython(seed, unseed)]
