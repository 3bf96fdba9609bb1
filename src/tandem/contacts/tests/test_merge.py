from __future__ import annotations

import pytest

from tandem.contacts import merge, services
from tandem.contacts.models import Contact, ContactMerge
from tandem.contacts.selectors import contact_account_history
from tandem.core.exceptions import PermissionDenied
from tandem.core.testing.factories import AccountFactory
from tandem.core.testing.fixtures import bearer_for, logged_in


@pytest.fixture
def pair(admin):
    account = AccountFactory(country="DE")
    kept = services.contact_create(actor=admin, account=account, first_name="Lena", last_name="Vogel",
                                   email="lena@work.example", phones=["030 1234567"])
    removed = services.contact_create(actor=admin, account=account, first_name="Lena", last_name="Vogel-Schmidt",
                                      email="lena.private@mail.example", phones=["+49 170 1234567"],
                                      email_opt_out=True, title="COO")
    return kept, removed


def test_merging_contacts_keeps_addresses_phones_opt_outs_and_history(admin, pair):
    kept, removed = pair
    record = merge.contact_merge(actor=admin, kept=kept, removed=removed, choose_from_removed={"title": True})
    kept.refresh_from_db()
    assert not Contact.objects.filter(pk=removed.pk).exists()
    assert kept.other_emails == ["lena.private@mail.example"]
    assert kept.phones == ["+49301234567", "+491701234567"]
    assert kept.email_opt_out is True and kept.title == "COO" and kept.last_name == "Vogel"
    assert record.moved["account_history"] == 1  # the duplicate's first account, now a row of the kept history
    lines = contact_account_history(actor=admin, contact=kept)
    assert [(line.from_account, line.to_account) for line in lines] == [(None, kept.account)] * 2
    assert ContactMerge.objects.get(kept=kept).snapshot["last_name"] == "Vogel-Schmidt"


def test_a_user_without_delete_permission_cannot_merge_contacts(am, pair):
    kept, removed = pair
    for contact in pair:
        contact.account.owner = am
        contact.account.save()
    with pytest.raises(PermissionDenied):
        merge.contact_merge(actor=am, kept=kept, removed=removed)
    assert Contact.objects.filter(pk=removed.pk).exists()


def test_the_contact_merge_page_and_api(admin, pair, client):
    kept, removed = pair
    page = logged_in(admin).get(f"/contacts/{kept.public_id}/merge/?duplicate={removed.public_id}").content.decode()
    assert "Vogel-Schmidt" in page
    response = client.post(f"/api/v1/contacts/{kept.public_id}/merge", {"duplicate": removed.public_id},
                           content_type="application/json", **bearer_for(admin, ["contacts:write", "contacts:read"]))
    assert response.status_code == 200, response.content
    assert response.json()["other_emails"] == ["lena.private@mail.example"]
