"""A fresh install can take tickets at once: business hours Monday to Friday 09:00–17:00 (UTC; change the time
zone), groups "Tier 1 support" and "Tier 2 support", SLA policies per priority (stricter for high-touch
accounts), and one routing rule: bugs and integration questions go to tier 2."""

from django.db import migrations

WEEKDAYS = [[day, "09:00", "17:00"] for day in range(5)]
# priority → (first response, resolution) in business minutes; high-touch accounts get half.
TARGETS = {"urgent": (60, 480), "high": (120, 960), "normal": (480, 2400), "low": (960, 4800)}


def seed(apps, schema_editor):
    BusinessHours = apps.get_model("tickets", "BusinessHours")
    TicketGroup = apps.get_model("tickets", "TicketGroup")
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    RoutingRule = apps.get_model("tickets", "RoutingRule")
    SlaSettings = apps.get_model("tickets", "SlaSettings")
    hours, _ = BusinessHours.objects.get_or_create(name="Office hours", defaults={
        "time_zone": "UTC", "windows": WEEKDAYS, "is_default": True})
    TicketGroup.objects.get_or_create(name="Tier 1 support", defaults={"tier": 1, "business_hours": hours})
    tier2, _ = TicketGroup.objects.get_or_create(name="Tier 2 support", defaults={"tier": 2, "business_hours": hours})
    for priority, (first, resolution) in TARGETS.items():
        SlaPolicy.objects.get_or_create(priority=priority, account_tier="", defaults={
            "name": f"{priority.capitalize()}", "first_response_minutes": first, "resolution_minutes": resolution})
        SlaPolicy.objects.get_or_create(priority=priority, account_tier="high_touch", defaults={
            "name": f"{priority.capitalize()} (high-touch)", "first_response_minutes": first // 2,
            "resolution_minutes": resolution // 2})
    if not RoutingRule.objects.exists():
        RoutingRule.objects.create(name="Technical cases to tier 2", position=10,
                                   categories=["bug", "integration"], tier=2, group=tier2)
    if not SlaSettings.objects.exists():
        SlaSettings.objects.create(warning_minutes=30)


def unseed(apps, schema_editor):
    for name in ("RoutingRule", "SlaPolicy", "TicketGroup", "BusinessHours", "SlaSettings"):
        apps.get_model("tickets", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_default_policy")]
    operations = [migrations.RunPython(seed, unseed)]
