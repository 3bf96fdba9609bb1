"""Demo timeline entries: a realistic handful of calls, emails, meetings and notes per account, spread over the
last six months. Accounts written through the services get theirs through ``activity_log`` (audited, with
their contacts and the colleague who logged them); bulk-inserted accounts get a few rows in bulk."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from tandem.timeline import services as timeline_services
from tandem.timeline.logic import render_markdown
from tandem.timeline.models import Activity

# (type, direction, subject, body) — {contact} is replaced by a contact's first name
SCRIPTS = [
    ("call", "outbound", "Kick-off call",
     "Walked {contact} through the onboarding plan.\n\n- Admin training next week\n- SSO set-up by IT"),
    ("email", "inbound", "Question about invoice",
     "{contact} asked why the last invoice shows **two** seat add-ons. Forwarded to billing."),
    ("meeting", "none", "Quarterly business review",
     "Agenda: adoption, open tickets, renewal timeline.\n\n**Outcome:** {contact} wants a usage report per team."),
    ("note", "none", "Champion change",
     "{contact} is moving to another department; we need a new champion before the renewal."),
    ("call", "inbound", "Support escalation follow-up",
     "{contact} confirmed the export fix works. Sentiment: *relieved*."),
    ("email", "outbound", "Renewal proposal sent",
     "Sent the renewal proposal to {contact} with the multi-year option."),
    ("chat", "inbound", "Quick question on API limits",
     "{contact} asked about rate limits for the nightly sync; pointed to the docs."),
    ("note", "none", "Expansion signal",
     "Usage grew 40 % in the last month; {contact} mentioned a new team joining. Hand to the AM."),
]


def _pick(rng: random.Random, count: int) -> list[tuple[str, str, str, str]]:
    return rng.sample(SCRIPTS, k=min(count, len(SCRIPTS)))


def _when(rng: random.Random, now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(days=rng.randint(1, 180), minutes=rng.randint(0, 600))


def log_demo_activities(*, rng: random.Random, account: Any, authors: list[Any], contacts: list[Any]) -> int:
    """Three to six entries on ``account``, each logged by one of ``authors`` through the service."""
    now = timezone.now()
    scripts = _pick(rng, rng.randint(3, 6))
    for kind, direction, subject, body in scripts:
        contact = rng.choice(contacts) if contacts else None
        timeline_services.activity_log(
            actor=rng.choice(authors), account=account, type=kind, direction=direction, occurred_at=_when(rng, now),
            subject=subject, body=body.format(contact=contact.first_name if contact else "the customer"),
            contacts=[contact] if contact else [])
    return len(scripts)


def bulk_demo_activities(*, rng: random.Random, accounts: list[Any], authors: dict[int, Any], per_account: int) -> int:
    """``per_account`` entries on each of ``accounts`` in one insert (no audit entries, no contacts linked)."""
    now = timezone.now()
    rows = []
    for account in accounts:
        for kind, direction, subject, body in _pick(rng, per_account):
            text = body.format(contact="the customer")
            rows.append(Activity(account=account, type=kind, direction=direction, occurred_at=_when(rng, now),
                                 subject=subject, body=text, body_html=render_markdown(text),
                                 created_by=authors.get(account.pk)))
    Activity.objects.bulk_create(rows, batch_size=5_000)
    return len(rows)
