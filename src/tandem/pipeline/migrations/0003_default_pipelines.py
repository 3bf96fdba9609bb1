"""One pipeline per opportunity type with its stages (administrators edit them: Administration → Pipelines).
Stage codes are stable keys other apps use (the renewal engine opens ``negotiation`` 30 days before the end)."""

import secrets

from django.db import migrations

OPEN_SALES = [("qualification", "Qualification", 10), ("discovery", "Discovery", 20), ("demo", "Demo", 40),
              ("proposal", "Proposal", 60), ("negotiation", "Negotiation", 80)]
CHANGE_SALES = [("identified", "Identified", 20), ("proposal", "Proposal", 50), ("negotiation", "Negotiation", 80)]
PIPELINES = [
    ("new_business", "New business", OPEN_SALES, ("won", "Won"), ("lost", "Lost")),
    ("upsell", "Upsell", CHANGE_SALES, ("won", "Won"), ("lost", "Lost")),
    ("cross_sell", "Cross-sell", CHANGE_SALES, ("won", "Won"), ("lost", "Lost")),
    ("expansion", "Expansion", CHANGE_SALES, ("won", "Won"), ("lost", "Lost")),
    ("renewal", "Renewal", [("upcoming", "Upcoming", 70), ("negotiation", "Negotiation", 80),
                            ("committed", "Committed", 95)], ("won", "Renewed"), ("lost", "Churned")),
]


def seed(apps, schema_editor):
    Pipeline = apps.get_model("pipeline", "Pipeline")
    Stage = apps.get_model("pipeline", "Stage")
    for type_code, name, open_stages, won, lost in PIPELINES:
        pipeline, created = Pipeline.objects.get_or_create(
            opportunity_type=type_code, defaults={"name": name, "public_id": secrets.token_urlsafe(12)})
        if not created:
            continue
        stages = [(code, label, probability, "open") for code, label, probability in open_stages]
        stages += [(won[0], won[1], 100, "won"), (lost[0], lost[1], 0, "lost")]
        for position, (code, label, probability, kind) in enumerate(stages):
            Stage.objects.create(pipeline=pipeline, code=code, name=label, position=position,
                                 probability=probability, kind=kind, public_id=secrets.token_urlsafe(12))


def unseed(apps, schema_editor):
    Pipeline = apps.get_model("pipeline", "Pipeline")
    Pipeline.objects.exclude(stages__opportunities__isnull=False).delete()


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0002_default_policy")]
    operations = [migrations.RunPython(seed, unseed)]
