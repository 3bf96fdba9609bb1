from __future__ import annotations

import pytest

from tandem.audit.models import AuditEntry
from tandem.contacts import services
from tandem.contacts.models import Contact, ContactAccountChange
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.core.testing.factories import AccountFactory, assign
from tandem.core.testing.fixtures import bearer_for, logged_in


@pytest.fixture
def berlin(am):
    return AccountFactory(name="Berlin Analytics", country="DE", owner=am)


def test_creating_a_contact_normalises_phones_and_records_history(am, berlin):
    contact = services.contact_create(actor=am, account=berlin, first_name="Lena", last_name="Vogel",
                                      email="Lena.Vogel@Berlin-Analytics.DE", phones=["030 1234567", "+49 30 1234567"],
                                      buying_role="champion")
    assert contact.phones == ["+49301234567"]
    assert contact.email == "Lena.Vogel@berlin-analytics.de"
    assert not ContactAccountChange.objects.filter(contact=contact).exists()  # a first account is no move
    assert AuditEntry.objects.filter(object_id=str(contact.pk), action="create").exists()


def test_invalid_emails_phones_and_time_zones_are_reported_per_field(am, berlin):
    with pytest.raises(ValidationFailed) as error:
        services.contact_create(actor=am, account=berlin, last_name="X", email="not-an-email",
                                phones=["12"], time_zone="Mars/Olympus")
    assert set(error.value.errors) == {"email", "phones", "time_zone"}
    assert not Contact.objects.exists()


def test_moving_a_contact_to_another_account_keeps_the_history(am, berlin):
    contact = services.contact_create(actor=am, account=berlin, last_name="Nomad")
    munich = AccountFactory(name="Munich Robotics", owner=am)
    services.contact_update(actor=am, contact=contact, account=munich)
    moves = list(ContactAccountChange.objects.filter(contact=contact).order_by("id")
                 .values_list("from_account__name", "to_account__name"))
    assert moves == [("Berlin Analytics", "Munich Robotics")]
    page = logged_in(am).get(f"/contacts/{contact.public_id}/").content.decode()
    section = page[page.index('id="contact-moves"'):page.index('id="contact-history"')]
    assert section.index("Berlin Analytics → Munich Robotics") < section.index("created at Berlin Analytics")


def test_a_csm_sees_contacts_only_at_their_accounts(csm, am):
    mine = AccountFactory(owner=am)
    assign(mine, csm, "csm")
    theirs = AccountFactory(owner=am)
    visible = services.contact_create(actor=am, account=mine, last_name="Visible")
    hidden = services.contact_create(actor=am, account=theirs, last_name="Hidden")
    client = logged_in(csm)
    page = client.get("/contacts/").content.decode()
    assert "Visible" in page and "Hidden" not in page
    assert client.get(f"/contacts/{hidden.public_id}/").status_code == 404
    assert client.get(f"/contacts/{visible.public_id}/").status_code == 200
    with pytest.raises(PermissionDenied):
        services.contact_update(actor=csm, contact=hidden, title="Nope")


def test_a_contact_cannot_be_attached_to_an_invisible_account(csm):
    hidden = AccountFactory()
    with pytest.raises(ValidationFailed):
        services.contact_create(actor=csm, account=hidden, last_name="Sneaky")


def test_the_account_page_lists_its_contacts(am, berlin):
    services.contact_create(actor=am, account=berlin, first_name="Lena", last_name="Vogel", title="Head of Ops")
    page = logged_in(am).get(f"/accounts/{berlin.public_id}/").content.decode()
    assert "Lena Vogel" in page and "Head of Ops" in page


def test_the_contact_api_creates_searches_by_phone_and_reports_field_errors(am, berlin, client):
    headers = bearer_for(am, ["contacts:read", "contacts:write"])
    created = client.post("/api/v1/contacts", {"account": berlin.public_id, "first_name": "Min-jun", "last_name": "Kim",
                                               "phones": ["+82 2-312-3456"]}, content_type="application/json",
                          **headers)
    assert created.status_code == 201, created.content
    assert created.json()["phones"] == ["+8223123456"]
    found = client.get("/api/v1/contacts?q=3123456", **headers).json()["items"]
    assert [item["last_name"] for item in found] == ["Kim"]
    bad = client.post("/api/v1/contacts", {"last_name": "X", "phones": ["nope"]}, content_type="application/json",
                      **headers)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "phones"


def test_the_contact_form_creates_a_contact_at_an_account(am, berlin):
    response = logged_in(am).post("/contacts/new/", {"first_name": "Jana", "last_name": "Wolf",
                                                     "email": "jana@berlin.example", "account": berlin.public_id,
                                                     "phones": "030 7654321"})
    contact = Contact.objects.get(last_name="Wolf")
    assert response.status_code == 302
    assert contact.account == berlin and contact.phones == ["+49307654321"]
