from __future__ import annotations

import pytest

from tandem.accounts import merge, services
from tandem.accounts.models import Account, AccountMerge, AccountTeamMember
from tandem.audit.models import AuditEntry
from tandem.contacts import services as contact_services
from tandem.contacts.models import Contact
from tandem.core.exceptions import PermissionDenied
from tandem.core.testing.factories import AccountFactory, assign
from tandem.core.testing.fixtures import bearer_for, logged_in


@pytest.fixture
def duplicates(admin, csm):
    kept = services.account_create(actor=admin, name="Acme Corp", domain="acme.example", tier="high_touch")
    removed = services.account_create(actor=admin, name="ACME Corporation", domain="acme-corp.example",
                                      external_id="cus_42", industry="Manufacturing", status_flags=["vip"])
    assign(removed, csm, "csm")
    contact_services.contact_create(actor=admin, account=removed, last_name="Coyote", email="w@acme.example")
    child = services.account_create(actor=admin, name="Acme Japan", parent=removed)
    return kept, removed, child


def test_merging_keeps_every_related_record_and_both_histories(admin, csm, duplicates):
    kept, removed, child = duplicates
    removed_pk, removed_public_id = removed.pk, removed.public_id
    record = merge.account_merge(actor=admin, kept=kept, removed=removed,
                                 choose_from_removed={"external_id": True, "industry": True})
    kept.refresh_from_db()
    assert not Account.objects.filter(pk=removed_pk).exists()
    assert Contact.objects.get(last_name="Coyote").account == kept
    assert Account.objects.get(pk=child.pk).parent == kept
    assert AccountTeamMember.objects.get(account=kept, role__code="csm").user == csm
    assert (kept.name, kept.external_id, kept.industry, kept.tier) == ("Acme Corp", "cus_42", "Manufacturing",
                                                                     "high_touch")
    assert kept.other_domains == ["acme-corp.example"] and kept.status_flags == ["vip"]
    assert {key: record.moved[key] for key in ("children", "team", "stage_history", "contacts", "files",
                                               "subscriptions")} == {"children": 1, "team": 1, "stage_history": 1,
                                                                     "contacts": 1, "files": 0, "subscriptions": 0}
    assert record.snapshot["name"] == "ACME Corporation"
    page = logged_in(admin).get(f"/accounts/{kept.public_id}/").content.decode()
    assert "ACME Corporation" in page  # the duplicate's history and merge record stay visible
    assert AuditEntry.objects.filter(object_id=str(removed_pk), action="delete").exists()
    assert AccountMerge.objects.get(kept=kept).removed_public_id == removed_public_id


def test_a_user_who_may_not_delete_the_duplicate_cannot_merge(am, duplicates):
    kept, removed, _child = duplicates
    kept.owner = am
    kept.save()
    removed.owner = am
    removed.save()
    with pytest.raises(PermissionDenied):  # the AM may change both, but the default policy gives AMs no delete
        merge.account_merge(actor=am, kept=kept, removed=removed)
    assert Account.objects.filter(pk=removed.pk).exists()
    assert Contact.objects.get(last_name="Coyote").account == removed


def test_the_merge_page_compares_and_merges(admin, duplicates):
    kept, removed, _child = duplicates
    client = logged_in(admin)
    compare = client.get(f"/accounts/{kept.public_id}/merge/?duplicate={removed.public_id}").content.decode()
    assert "ACME Corporation" in compare and "take-domain" in compare
    response = client.post(f"/accounts/{kept.public_id}/merge/",
                           {"duplicate": removed.public_id, "take-domain": "duplicate", "confirm": "1"})
    assert response.status_code == 302
    kept.refresh_from_db()
    assert kept.domain == "acme-corp.example" and kept.other_domains == ["acme.example"]


def test_the_merge_api_reports_what_moved(admin, duplicates, client):
    kept, removed, _child = duplicates
    response = client.post(f"/api/v1/accounts/{kept.public_id}/merge", {"duplicate": removed.public_id},
                           content_type="application/json", **bearer_for(admin, ["accounts:write"]))
    assert response.status_code == 200, response.content
    assert response.json()["moved"]["contacts"] == 1


def test_merging_an_account_into_itself_is_refused(admin):
    account = AccountFactory()
    response = logged_in(admin).get(f"/accounts/{account.public_id}/merge/?duplicate={account.public_id}")
    assert "Choose two different accounts." in response.content.decode()


def test_a_csm_cannot_open_the_merge_page_of_an_invisible_account(csm):
    account = AccountFactory()
    assert logged_in(csm).get(f"/accounts/{account.public_id}/merge/").status_code == 404
