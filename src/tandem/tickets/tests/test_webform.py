"""The public support form: no login, CSRF on, a ticket with the contact matched or created, and spam refused
(honeypot, per-IP limit)."""

from __future__ import annotations

import pytest
from django.test import Client

from tandem.contacts.models import Contact
from tandem.core.testing.factories import AccountFactory
from tandem.tickets.models import Ticket

FORM = {"name": "Jane Doe", "email": "Jane@Acme.example", "subject": "How do I set up SSO?",
        "category": "product_setup", "description": "We want SAML.", "website": ""}


def post(client: Client, data: dict[str, str] | None = None, ip: str = "203.0.113.7"):
    client.get("/support/new/")  # the CSRF cookie
    token = client.cookies["csrftoken"].value
    return client.post("/support/new/", {**FORM, **(data or {}), "csrfmiddlewaretoken": token}, REMOTE_ADDR=ip)


@pytest.fixture
def browser_client() -> Client:
    return Client(enforce_csrf_checks=True)


def test_the_form_opens_a_web_form_ticket_for_the_known_contact_and_thanks_with_the_reference(db, browser_client):
    account = AccountFactory(name="Acme")
    jane = Contact.objects.create(account=account, first_name="Jane", last_name="Doe", email="jane@acme.example")
    assert browser_client.get("/support/new/").status_code == 200
    response = post(browser_client)
    assert response.status_code == 302 and response["Location"] == "/support/thanks/"
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.requester, ticket.account, ticket.category) == (
        "web_form", jane, account, "product_setup")
    thanks = browser_client.get("/support/thanks/")
    assert ticket.reference.encode() in thanks.content


def test_a_new_address_gets_a_contact(db, browser_client):
    post(browser_client, {"email": "neil@newco.example", "name": "Neil Newman"})
    contact = Contact.objects.get(email="neil@newco.example")
    assert (contact.first_name, contact.last_name) == ("Neil", "Newman")
    assert Ticket.objects.get().requester == contact


def test_csrf_stays_on(db, browser_client):
    response = browser_client.post("/support/new/", FORM, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 403 and not Ticket.objects.exists()


def test_a_filled_in_honeypot_is_refused(db, browser_client):
    response = post(browser_client, {"website": "http://spam.example"})
    assert response.status_code == 400 and not Ticket.objects.exists()


def test_the_per_ip_limit_refuses_more_tickets_within_the_hour(db, browser_client, settings):
    settings.SUPPORT_FORM_PER_HOUR = 2
    assert [post(browser_client, {"subject": f"Ask {n}"}).status_code for n in range(3)] == [302, 302, 429]
    assert post(browser_client, {"subject": "Other IP"}, ip="198.51.100.1").status_code == 302
    assert Ticket.objects.count() == 3


def test_invalid_input_shows_the_form_again(db, browser_client):
    response = post(browser_client, {"email": "not-an-address", "subject": ""})
    assert response.status_code == 400 and not Ticket.objects.exists()


def test_the_form_can_be_switched_off(db, browser_client, settings):
    settings.SUPPORT_FORM_ENABLED = False
    assert browser_client.get("/support/new/").status_code == 404


def test_the_thank_you_page_without_a_submission_leads_to_the_form(db, browser_client):
    assert browser_client.get("/support/thanks/")["Location"] == "/support/new/"
