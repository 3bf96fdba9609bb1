"""Demo support tickets, written through the services: a constant handful whatever the scale — new and open
tickets in both tiers, one escalated with a reason, one waiting for the customer (SLA paused), a product-setup
question handed to the account's CSM, a billing question, and solved ones with a satisfaction rating."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import Account
from tandem.contacts.models import Contact
from tandem.identity.models import User
from tandem.tickets import services as ticket_services

# (subject, channel, category, priority, what happens next)
TICKETS = [
    ("Cannot log in after password reset", "email", "question", "high", "reply"),
    ("Export to CSV times out", "chat", "bug", "urgent", "open"),
    ("How do we set up SSO for our team?", "phone", "product_setup", "normal", "handover"),
    ("Invoice shows the wrong number of seats", "email", "billing", "normal", "pending"),
    ("Salesforce sync stops after 1,000 records", "web_form", "integration", "high", "open"),
    ("Dashboard widgets load slowly", "marketing_reply", "question", "low", "escalate"),
    ("Where do I change my notification emails?", "chat", "question", "low", "solve"),
    ("Feature idea: dark mode", "api", "feature_request", "low", "solve"),
]


def demo_tickets(users: dict[str, User]) -> None:
    tier1, tier2 = users.get("tina.support@demo.tandem"), users.get("tom.tier2@demo.tandem")
    if tier1 is None or tier2 is None:
        return
    accounts = list(Account.objects.filter(team_members__role__code="csm").filter(
        team_members__role__code="am").distinct().order_by("id")[:len(TICKETS)])
    if not accounts:
        return
    start = timezone.now() - datetime.timedelta(hours=30)
    for index, (subject, channel, category, priority, step) in enumerate(TICKETS):
        account = accounts[index % len(accounts)]
        contact = Contact.objects.filter(account=account).exclude(email="").order_by("id").first()
        at = start + datetime.timedelta(hours=3 * index)
        with transaction.atomic():
            ticket = ticket_services.ticket_create(
                actor=tier1, subject=subject, description=f"{subject}. Reported by the customer via {channel}.",
                account=account, requester=contact, channel=channel, category=category, priority=priority, now=at)
            later = at + datetime.timedelta(minutes=40)
            if step == "reply":
                ticket_services.ticket_assign(actor=tier1, ticket=ticket, assignee=tier1, now=later)
                ticket_services.ticket_reply(actor=tier1, ticket=ticket, body="We are looking into it.", now=later)
            elif step == "handover":
                ticket_services.ticket_hand_to_csm(actor=tier1, ticket=ticket, now=later)
            elif step == "pending":
                ticket_services.ticket_reply(actor=tier1, ticket=ticket, status="pending_customer", now=later,
                                             body="Could you send us the invoice number?")
            elif step == "escalate":
                ticket_services.ticket_escalate(actor=tier1, ticket=ticket, assignee=tier2, now=later,
                                                reason="Only on large accounts; needs a look at the queries.")
            elif step == "solve":
                ticket_services.ticket_reply(actor=tier1, ticket=ticket, body="Done — see Settings → Profile.",
                                             status="solved", now=later)
                ticket_services.ticket_rate(actor=tier1, ticket=ticket, rating=5, comment="Quick and friendly.")
