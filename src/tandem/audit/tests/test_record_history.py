"""One record's history in the audit API: its own entries and those of the duplicates merged into it, without
what the reader may not see."""

from __future__ import annotations

from tandem.access.decide import SYSTEM
from tandem.access.services import FieldGroupChange, policy_set
from tandem.accounts import merge as account_merge
from tandem.accounts import services as account_services
from tandem.contacts import merge as contact_merge
from tandem.contacts import services as contact_services
from tandem.core.testing.factories import AccountFactory, assign
from tandem.core.testing.fixtures import bearer_for
from tandem.customfields import services as custom_services
from tandem.customfields.models import CustomField


def history(client, headers, resource: str, public_id: str, query: str = "") -> list[tuple[str, str, str]]:
    response = client.get(f"/api/v1/audit?object_type={resource}&object_id={public_id}{query}", **headers)
    assert response.status_code == 200, response.content
    return [(item["object_id"], item["action"], item["object"]) for item in response.json()["items"]]


def test_an_account_history_includes_the_entries_of_duplicates_merged_into_it(admin, csm, client):
    kept = account_services.account_create(actor=admin, name="Acme Corp")
    removed = account_services.account_create(actor=admin, name="ACME Inc")
    account_services.account_update(actor=admin, account=removed, industry="Retail")
    kept_id, removed_id = kept.public_id, removed.public_id
    account_merge.account_merge(actor=admin, kept=kept, removed=removed)
    assign(kept, csm, "csm")
    assert history(client, bearer_for(csm, ["audit:read"]), "account", kept_id) == [
        (removed_id, "delete", "ACME Inc"), (kept_id, "change", "Acme Corp"), (removed_id, "change", "ACME Inc"),
        (removed_id, "create", "ACME Inc"), (kept_id, "create", "Acme Corp")]


def test_the_history_follows_a_duplicate_merged_into_a_duplicate(admin, client):
    first, second, third = (account_services.account_create(actor=admin, name=name)
                            for name in ("First", "Second", "Third"))
    first_id = first.public_id
    account_merge.account_merge(actor=admin, kept=second, removed=first)
    account_merge.account_merge(actor=admin, kept=third, removed=second)
    entries = history(client, bearer_for(admin, ["audit:read"]), "account", third.public_id, "&action=create")
    assert [name for _id, _action, name in entries] == ["Third", "Second", "First"]
    assert entries[-1][0] == first_id
    assert third.merges.count() == 2


def test_filters_and_pages_apply_to_merged_entries_too(admin, client):
    kept = account_services.account_create(actor=admin, name="Kept")
    removed = account_services.account_create(actor=admin, name="Gone")
    account_merge.account_merge(actor=admin, kept=kept, removed=removed)
    headers = bearer_for(admin, ["audit:read"])
    url = f"/api/v1/audit?object_type=account&object_id={kept.public_id}"
    assert [item["action"] for item in client.get(url + "&action=delete", **headers).json()["items"]] == ["delete"]
    first = client.get(url + "&limit=2", **headers).json()
    second = client.get(url + f"&limit=2&cursor={first['next_cursor']}", **headers).json()
    assert [(item["object"], item["action"]) for item in first["items"] + second["items"]] == [
        ("Gone", "delete"), ("Kept", "change"), ("Gone", "create"), ("Kept", "create")]
    assert second["next_cursor"] is None


def test_merged_entries_leave_out_custom_values_of_groups_the_reader_may_not_read(admin, csm, client):
    custom_services.custom_field_create(actor=admin, resource="account", key="contract_value",
                                        label="Contract value", field_type="number", field_group="commercial")
    custom_services.custom_field_create(actor=admin, resource="account", key="region", label="Region",
                                        field_type="text")
    custom_services.custom_field_create(actor=admin, resource="account", key="retired", label="Retired",
                                        field_type="text")
    kept = account_services.account_create(actor=admin, name="Kept", owner=csm)
    removed = account_services.account_create(actor=admin, name="Gone")
    account_services.account_update(actor=SYSTEM, account=removed,
                                     custom={"contract_value": 900, "region": "EMEA", "retired": "x"})
    CustomField.objects.filter(key="retired").delete()  # a value whose definition (and group) is gone
    account_merge.account_merge(actor=admin, kept=kept, removed=removed)
    url = f"/api/v1/audit?object_type=account&object_id={kept.public_id}&action=change"

    def changes(headers):
        return [item["changes"] for item in client.get(url, **headers).json()["items"]]

    csm_headers = bearer_for(csm, ["audit:read"])
    # Newest first: the merge filled the kept account's gaps from the duplicate, then the duplicate's own change.
    assert changes(csm_headers) == [{"custom.region": [None, "EMEA"]}, {"custom.region": [None, "EMEA"]}]
    policy_set(actor=admin, field_groups=[FieldGroupChange("csm", "account", "commercial", True, False)])
    assert changes(csm_headers) == [{"custom.contract_value": [None, 900.0], "custom.region": [None, "EMEA"]}] * 2
    assert changes(bearer_for(admin, ["audit:read"]))[1] == {
        "custom.contract_value": [None, 900.0], "custom.region": [None, "EMEA"], "custom.retired": [None, "x"]}


def test_a_contact_history_includes_the_entries_of_duplicates_merged_into_it(admin, csm, client):
    account = AccountFactory()
    assign(account, csm, "csm")
    kept = contact_services.contact_create(actor=admin, account=account, first_name="Lena", last_name="Vogel")
    removed = contact_services.contact_create(actor=admin, account=account, first_name="Lena", last_name="V.")
    kept_id, removed_id = kept.public_id, removed.public_id
    contact_merge.contact_merge(actor=admin, kept=kept, removed=removed)
    assert history(client, bearer_for(csm, ["audit:read"]), "contact", kept_id) == [
        (removed_id, "delete", "Lena V."), (kept_id, "change", "Lena Vogel"), (removed_id, "create", "Lena V."),
        (kept_id, "create", "Lena Vogel")]


def test_a_contact_merged_into_an_invisible_contact_has_no_history_for_an_outsider(admin, csm, client):
    kept = contact_services.contact_create(actor=admin, account=AccountFactory(), last_name="Hidden")
    removed = contact_services.contact_create(actor=admin, account=AccountFactory(), last_name="Hidden too")
    contact_merge.contact_merge(actor=admin, kept=kept, removed=removed)
    headers = bearer_for(csm, ["audit:read"])
    for public_id in (kept.public_id, removed.public_id):
        assert client.get(f"/api/v1/audit?object_type=contact&object_id={public_id}", **headers).status_code == 404
