"""The tickets API beyond the shared battery, and the pages (queue, form, ticket page, report, Account 360)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from tandem.contacts.models import Contact
from tandem.core.testing.factories import AccountFactory, UserFactory, assign
from tandem.core.testing.fixtures import bearer_for, logged_in
from tandem.tickets import services
from tandem.tickets.models import Ticket

SCOPES = ["tickets:read", "tickets:write"]


@pytest.fixture
def agent(db):
    return UserFactory(email="tina@example.test", full_name="Tina Tier1", roles=["support_tier1"])


def test_post_tickets_matches_the_requester_and_escalation_via_api_needs_a_reason(agent, am):
    account = AccountFactory(owner=am)
    contact = Contact.objects.create(account=account, last_name="Doe", email="jane@acme.example")
    headers = bearer_for(agent, SCOPES)
    response = Client().post("/api/v1/tickets", {"subject": "Broken", "requester_email": "jane@acme.example"},
                             content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["requester"]["id"] == contact.public_id and body["account"]["id"] == account.public_id
    assert body["channel"] == "api" and body["tier"] == 1 and body["reference"].startswith("T-")
    url = f"/api/v1/tickets/{body['reference']}"
    assert Client().get(url, **headers).json()["id"] == body["id"]
    refused = Client().post(f"{url}/escalate", {"reason": ""}, content_type="application/json", **headers)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "reason"
    done = Client().post(f"{url}/escalate", {"reason": "Needs a developer"}, content_type="application/json",
                         **headers)
    assert done.json()["tier"] == 2
    reply = Client().post(f"{url}/replies", {"body": "We are on it", "status": "pending_customer"},
                          content_type="application/json", **headers)
    assert reply.status_code == 201 and reply.json()["kind"] == "reply"
    ticket = Client().get(url, **headers).json()
    assert ticket["status"] == "pending_customer" and ticket["sla"]["paused"] is True
    queue = Client().get("/api/v1/tickets?queue=tier2", **headers).json()["items"]
    assert [item["id"] for item in queue] == [body["id"]]


def test_routing_rules_need_the_admin_scope_and_the_right(agent, admin):
    payload = {"name": "Billing to tier 2", "categories": ["billing"], "tier": 2}
    assert Client().post("/api/v1/ticket-routing-rules", payload, content_type="application/json",
                         **bearer_for(admin, SCOPES)).status_code == 403
    assert Client().post("/api/v1/ticket-routing-rules", payload, content_type="application/json",
                         **bearer_for(agent, [*SCOPES, "tickets:admin"])).status_code == 403
    created = Client().post("/api/v1/ticket-routing-rules", payload, content_type="application/json",
                            **bearer_for(admin, [*SCOPES, "tickets:admin"]))
    assert created.status_code == 201 and created.json()["categories"] == ["billing"]
    listed = Client().get("/api/v1/ticket-routing-rules", **bearer_for(agent, SCOPES)).json()["items"]
    assert [rule["name"] for rule in listed] == ["Billing to tier 2", "Technical cases to tier 2"]  # position 0, 10
    hours = Client().post("/api/v1/ticket-business-hours", {
        "name": "Seoul", "time_zone": "Asia/Seoul", "windows": [[0, "09:00", "18:00"]],
        "holidays": [{"date": "2025-10-03", "name": "National Foundation Day"}]},
        content_type="application/json", **bearer_for(admin, [*SCOPES, "tickets:admin"]))
    assert hours.status_code == 201 and hours.json()["holidays"][0]["date"] == "2025-10-03"


def test_ticket_load_and_report_are_exposed_for_visible_accounts_only(agent, am):
    mine, other = AccountFactory(owner=am), AccountFactory()
    assign(mine, am, "am")
    now = datetime.datetime(2025, 4, 14, 9, tzinfo=datetime.UTC)
    services.ticket_create(actor=agent, subject="a", account=mine, priority="urgent", now=now)
    services.ticket_create(actor=agent, subject="b", account=other, now=now)
    query = "start=2025-04-01T00:00:00%2B00:00&end=2025-05-01T00:00:00%2B00:00"
    rows = Client().get(f"/api/v1/tickets/load?{query}", **bearer_for(am, SCOPES)).json()["items"]
    assert rows == [{"account": mine.public_id, "period_start": "2025-04-01", "count": 1, "weighted": 5}]
    report = Client().get(f"/api/v1/tickets/report?{query}", **bearer_for(agent, SCOPES)).json()
    assert report["total"] == 2 and report["by_tier"] == {"1": 2}


def test_an_agent_opens_a_ticket_in_the_form_and_sees_it_in_the_tier_1_queue(agent):
    client = logged_in(agent)
    response = client.post("/tickets/new/", {"subject": "Printer on fire", "channel": "phone",
                                             "category": "question", "priority": "high", "tags": "hardware, fire"})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tickets/{ticket.public_id}/"
    queue = client.get("/tickets/?queue=tier1")
    assert ticket.reference in queue.content.decode() and b"queue.js" in queue.content
    page = client.get(f"/tickets/{ticket.public_id}/")
    assert b"Escalate to tier 2" in page.content and b"hardware" in page.content
    client.post(f"/tickets/{ticket.public_id}/escalate/", {"reason": "Needs hardware team"})
    ticket.refresh_from_db()
    assert ticket.tier == 2
    client.post(f"/tickets/{ticket.public_id}/reply/", {"body": "We sent a technician", "status": ""})
    assert ticket.messages.filter(kind="reply").count() == 1
    assert client.get("/tickets/reports/").status_code == 200
    assert client.get("/tickets/settings/").status_code == 200


def test_outsiders_get_404_and_the_account_page_shows_its_tickets(agent, am, outsider):
    account = AccountFactory(owner=am, name="Acme GmbH")
    ticket = services.ticket_create(actor=agent, subject="Login loop", account=account)
    assert logged_in(outsider).get(f"/tickets/{ticket.public_id}/").status_code == 404
    assert logged_in(outsider).get("/tickets/").status_code == 404
    page = logged_in(am).get(f"/accounts/{account.public_id}/")
    assert page.status_code == 200 and b"Login loop" in page.content and b"Support tickets" in page.content


def test_the_account_page_lists_ten_open_tickets_and_counts_them_all(agent, am):
    account = AccountFactory(owner=am, name="Busy GmbH")
    for number in range(12):
        services.ticket_create(actor=agent, subject=f"Problem {number:02d}", account=account)
    text = logged_in(am).get(f"/accounts/{account.public_id}/").content.decode()
    section = text[text.index('id="account-tickets"'):]
    section = section[:section.index("</section>")]
    assert "Open (12)" in section
    assert section.count("Problem ") == 10
