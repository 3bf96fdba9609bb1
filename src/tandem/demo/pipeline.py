"""Demo leads and opportunities, written through the pipeline services: Sam the SDR's leads (new, being called,
disqualified; qualifying is left to whoever tries the demo, so the customer accounts stay the generator's), three
years of won and lost deals on the demo accounts (with loss reasons and competitors) and an open pipeline for the
coming months. A constant handful whatever the scale."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tandem.access.decide import SYSTEM
from tandem.accounts.models import Account
from tandem.identity.models import User
from tandem.pipeline import leads as lead_services
from tandem.pipeline import selectors as pipeline_selectors
from tandem.pipeline import services as pipeline_services
from tandem.pipeline.models import Opportunity

COMPANIES = [("Hanbit Cloud", "hanbit-cloud.kr", "KR", "Ji-woo", "Lee"), ("Lindenhof Logistik", "lindenhof.de", "DE",
             "Anna", "Weber"), ("Shenzhen Brightline", "brightline.cn", "CN", "Wei", "Zhang"),
             ("Nordlicht Energie", "nordlicht-energie.de", "DE", "Jonas", "Becker"),
             ("Gangnam Clinics", "gangnam-clinics.kr", "KR", "Seo-yeon", "Choi"),
             ("Hangzhou Tea Trading", "hz-tea.cn", "CN", "Li", "Wang"), ("Alpenblick Hotels", "alpenblick.at", "AT",
             "Lena", "Gruber"), ("Busan Port Services", "busanport.kr", "KR", "Min-jun", "Park"),
             ("Rheinwerk Maschinen", "rheinwerk.de", "DE", "Felix", "Schmidt"),
             ("Chengdu Games", "chengdu-games.cn", "CN", "Fang", "Liu"), ("Elbe Media", "elbe-media.de", "DE", "Mia",
             "Schulz"), ("Daejeon Labs", "daejeon-labs.kr", "KR", "Ha-eun", "Jung")]
LOSS_REASONS = ["Went with a competitor on price", "No budget this year", "Project cancelled",
                "Chose to build in-house", "Champion left the company", "Missing integration"]
COMPETITORS = ["Gainsight", "ChurnZero", "Vitally", "Planhat", "HubSpot"]
NAMES = {"upsell": "Upgrade to Premium", "cross_sell": "Analytics add-on", "expansion": "More seats",
         "renewal": "Renewal", "new_business": "First contract"}


def demo_pipeline(users: dict[str, User], rng: random.Random) -> None:
    sdr = users["sam.sdr@demo.tandem"]
    today = timezone.localdate()
    for index, (company, domain, country, first, last) in enumerate(COMPANIES):
        with transaction.atomic():
            start = today - datetime.timedelta(days=rng.randint(1, 40))
            lead = lead_services.lead_create(
                actor=sdr, company_name=company, domain=domain, country=country, contact_first_name=first,
                contact_last_name=last, contact_email=f"{first.lower().replace('-', '')}@{domain}",
                source=rng.choice(["trial", "trial", "web_form", "event", "referral"]), trial_started_on=start,
                trial_ends_on=start + datetime.timedelta(days=14), external_id=f"demo-lead-{index + 1:03d}")
            for _call in range(index % 4):
                lead_services.lead_call_log(
                    actor=sdr, lead=lead, outcome=rng.choice(["connected", "voicemail", "no_answer"]),
                    occurred_at=timezone.now() - datetime.timedelta(days=rng.randint(0, 20), hours=rng.randint(1, 8)))
            if index in (3, 7):
                lead_services.lead_disqualify(actor=sdr, lead=lead, reason="Student project, no budget")
    accounts = list(Account.objects.filter(external_id__startswith="demo-", team_members__role__code="am")
                    .distinct().order_by("id")[:30])
    for account in accounts:
        _history(account, rng, today)


def _am_of(account: Account) -> User | None:
    return pipeline_selectors.account_manager_of(account=account)


def _history(account: Account, rng: random.Random, today: datetime.date) -> None:
    """Two or three closed deals over the last three years and, for every other account, one open deal."""
    owner = _am_of(account)
    for _deal in range(rng.randint(2, 3)):
        type_code = rng.choice(["upsell", "cross_sell", "expansion", "renewal"])
        closed = today - datetime.timedelta(days=rng.randint(20, 3 * 365))
        won = rng.random() < 0.65
        with transaction.atomic():
            opportunity = pipeline_services.opportunity_create(
                actor=SYSTEM, account=account, type=type_code, name=NAMES[type_code], owner=owner, close_date=closed,
                mrr_delta=Decimal(rng.choice([100, 250, 500, 750, 1000])),
                one_off_amount=Decimal(rng.choice([0, 0, 500, 1500])),
                competitors=rng.sample(COMPETITORS, rng.randint(0, 2)))
            stage = pipeline_selectors.stage_by_code(type=type_code, code="won" if won else "lost")
            assert stage is not None
            pipeline_services.opportunity_move(actor=SYSTEM, opportunity=opportunity, stage=stage, version=1,
                                               loss_reason=None if won else rng.choice(LOSS_REASONS))
            created = timezone.now() - datetime.timedelta(days=(today - closed).days + rng.randint(20, 90))
            Opportunity.objects.filter(pk=opportunity.pk).update(closed_on=closed, created_at=created)
    if account.pk % 2:
        type_code = rng.choice(["upsell", "expansion", "renewal", "cross_sell"])
        pipeline = pipeline_selectors.pipeline_for_type(type=type_code)
        stage = rng.choice([item for item in pipeline_selectors.stages_of(pipeline=pipeline) if item.is_open])
        pipeline_services.opportunity_create(
            actor=SYSTEM, account=account, type=type_code, name=NAMES[type_code], owner=owner, stage=stage,
            close_date=today + datetime.timedelta(days=rng.randint(3, 100)),
            mrr_delta=Decimal(rng.choice([200, 400, 600, 1200])))
