"""A tier-1 agent opens a ticket in the form in Chromium, finds it in the tier 1 queue (with the keyboard),
escalates it to tier 2 with a reason and replies."""

from __future__ import annotations

import pytest

from tandem.contacts.models import Contact
from tandem.core.testing.factories import AccountFactory, UserFactory
from tandem.tickets.models import Ticket
from tests.e2e.test_login import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_agent_opens_a_ticket_sees_it_in_tier_1_escalates_it_and_replies(page, live_server, password, shot):
    agent = UserFactory(email="tina@example.test", full_name="Tina Tier1", roles=["support_tier1"])
    account = AccountFactory(name="Northwind")
    Contact.objects.create(account=account, first_name="Jane", last_name="Doe", email="jane@northwind.example")
    login(page, live_server, agent.email, password)
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/tickets/new/")
    page.fill("input[name=subject]", "Reports page shows an error")
    page.fill("textarea[name=description]", "Since this morning the reports page shows error 500.")
    page.fill("input[name=requester_email]", "jane@northwind.example")
    page.select_option("select[name=channel]", "email")
    page.get_by_role("button", name="Open ticket").click()
    ticket = Ticket.objects.get()
    page.wait_for_url(f"{live_server.url}/tickets/{ticket.public_id}/")
    assert ticket.account == account and ticket.requester.email == "jane@northwind.example"

    page.goto(f"{live_server.url}/tickets/?queue=tier1")
    row = page.locator(f"tr[data-ticket='{ticket.public_id}']")
    assert ticket.reference in row.inner_text() and "Northwind" in row.inner_text()
    shot(page, "tickets-tier1-queue")
    page.keyboard.press("j")
    page.keyboard.press("o")
    page.wait_for_url(f"{live_server.url}/tickets/{ticket.public_id}/")

    page.fill("#ticket-escalate-reason", "Server error on every report: needs tier 2")
    page.get_by_role("button", name="Escalate to tier 2").click()
    page.wait_for_url(f"{live_server.url}/tickets/{ticket.public_id}/")
    assert "Tier 2" in page.inner_text("#ticket-tier")
    assert "Server error on every report" in page.inner_text("#ticket-thread >> xpath=..")

    page.fill("#ticket-reply-form textarea[name=body]", "Thanks Jane, our engineers are on it.")
    page.get_by_role("button", name="Send reply").click()
    page.wait_for_url(f"{live_server.url}/tickets/{ticket.public_id}/")
    assert "our engineers are on it" in page.inner_text("#ticket-thread >> xpath=..")
    shot(page, "ticket-escalated-and-replied")
    ticket.refresh_from_db()
    assert ticket.tier == 2 and ticket.first_responded_at is not None and ticket.status == "open"
    page.goto(f"{live_server.url}/tickets/?queue=tier2")
    assert ticket.reference in page.inner_text("#ticket-queue")
