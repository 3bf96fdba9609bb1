"""Seed the roles of PRODUCT.md plus manager, administrator and viewer."""

from django.db import migrations

ROLES = [
    ("sdr", "SDR (sales development rep)", "Calls trial sign-ups, qualifies leads, creates opportunities."),
    ("ae", "Account executive", "Demos, needs analysis, closes new business."),
    ("support_tier1", "Support, tier 1", "Answers every channel: phone, chat, email, replies to marketing mail."),
    ("support_tier2", "Support, tier 2", "Takes technical cases: bugs, third-party integrations."),
    ("am", "Account manager", "Expands subscriptions, negotiates price and contracts, forecasts."),
    ("implementation", "Implementation specialist", "Onboarding: training, configuration, initial usage plan."),
    ("csm", "Customer success manager", "Retention and the customer's goals; hands price talk to the AM."),
    ("renewal", "Renewal specialist", "Renews contracts: notice at 90 days, negotiation at 30 days."),
    ("manager", "Manager", "Sees the team's numbers and reassigns work."),
    ("administrator", "Administrator", "Manages users, permissions, fields and integrations."),
    ("viewer", "Viewer (read-only)", "Reads everything, changes nothing (executives)."),
]


def seed(apps, schema_editor):
    Role = apps.get_model("identity", "Role")
    for position, (code, name, description) in enumerate(ROLES):
        Role.objects.update_or_create(
            code=code, defaults={"name": name, "description": description, "position": position}
        )


def unseed(apps, schema_editor):
    Role = apps.get_model("identity", "Role")
    Role.objects.filter(code__in=[code for code, _, _ in ROLES]).delete()


class Migration(migrations.Migration):
    dependencies = [("identity", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
