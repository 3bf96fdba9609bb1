"""Field groups that exist because a custom field uses them: offered by the permission editor and "explain
access", saved like the built-in groups, and deciding who reads and writes the field."""

from __future__ import annotations

import pytest

from tandem.access.decide import SYSTEM
from tandem.access.models import FieldGroupPermission, Permission
from tandem.access.registry import field_group_names
from tandem.access.services import FieldGroupChange, policy_set
from tandem.access.tests.test_views import EDITOR, editor_form
from tandem.accounts import services as account_services
from tandem.audit.models import AuditEntry
from tandem.core.exceptions import ValidationFailed
from tandem.core.testing.fixtures import bearer_for, logged_in
from tandem.customfields import services
from tandem.customfields.models import CustomField

COMMERCIAL = "group-csm-account-commercial"


@pytest.fixture
def commercial(admin):
    """Two account fields in a group no permission row mentions yet, one in pricing, one in no group."""
    services.custom_field_create(actor=admin, resource="account", key="contract_value", label="Contract value",
                                 field_type="money", field_group="commercial")
    services.custom_field_create(actor=admin, resource="account", key="discount", label="Discount",
                                 field_type="number", field_group="commercial")
    services.custom_field_create(actor=admin, resource="account", key="list_price", label="List price",
                                 field_type="money", field_group="pricing")
    services.custom_field_create(actor=admin, resource="account", key="region", label="Region", field_type="text")
    services.custom_field_create(actor=admin, resource="contact", key="birthday", label="Birthday",
                                 field_type="date", field_group="personal")
    return CustomField.objects.all()


@pytest.fixture
def priced_account(csm, commercial):
    # Until a rule names the new group nobody may write it, administrators included: the system sets the values.
    return account_services.account_create(actor=SYSTEM, name="Priced", owner=csm,
                                           custom={"contract_value": "50000 EUR", "discount": 12, "region": "EMEA"})


def with_group(cell: str, *, read: bool, write: bool = False, seen: str = "") -> dict[str, str]:
    """The editor's form with one field-group cell ticked as given; ``seen`` is what the page showed ("", "r",
    "rw")."""
    form = editor_form()
    form["was-" + cell] = seen
    for box, ticked in (("-read", read), ("-write", write)):
        if ticked:
            form[cell + box] = "on"
        else:
            form.pop(cell + box, None)
    return form


def test_a_group_only_a_custom_field_uses_is_a_field_group_of_its_resource(commercial):
    assert field_group_names("account") == ["commercial", "pricing"]
    assert field_group_names("contact") == ["personal"]
    assert field_group_names("file") == []


def test_the_editor_shows_a_custom_fields_group_with_the_fields_it_protects(admin, commercial):
    html = logged_in(admin).get(EDITOR).content.decode()
    assert f'name="{COMMERCIAL}-read"' in html and f'name="{COMMERCIAL}-write"' in html
    assert f'name="was-{COMMERCIAL}" value=""' in html
    assert "<code>commercial</code>: Contract value, Discount" in html
    assert "<code>pricing</code>: List price" in html
    assert 'name="group-csm-contact-personal-read"' in html and "<code>personal</code>: Birthday" in html
    assert "Region" not in html  # a field in no group is not protected by any


def test_without_a_rule_nobody_but_the_system_reads_a_new_group(csm, priced_account, client):
    body = client.get(f"/api/v1/accounts/{priced_account.public_id}", **bearer_for(csm, ["accounts:read"])).json()
    assert body["custom"] == {"region": "EMEA"}


def test_granting_read_in_the_editor_shows_the_field_to_the_role_in_the_api_and_taking_it_hides_it(
        admin, csm, priced_account, client):
    url = f"/api/v1/accounts/{priced_account.public_id}"
    headers = bearer_for(csm, ["accounts:read"])
    assert logged_in(admin).post(EDITOR, with_group(COMMERCIAL, read=True)).status_code == 302
    assert client.get(url, **headers).json()["custom"] == {
        "contract_value": {"amount": "50000.00", "currency": "EUR"}, "discount": 12.0, "region": "EMEA"}
    entry = AuditEntry.objects.get(content_type__model="fieldgrouppermission")
    assert (entry.action, entry.changes) == ("create", {"can_read": [False, True]})
    assert "field group “commercial”: hidden → read only" in entry.summary

    assert logged_in(admin).post(EDITOR, with_group(COMMERCIAL, read=False, seen="r")).status_code == 302
    assert client.get(url, **headers).json()["custom"] == {"region": "EMEA"}


def test_granting_write_in_the_editor_lets_the_role_change_the_field(admin, csm, priced_account, client):
    url = f"/api/v1/accounts/{priced_account.public_id}"
    headers = bearer_for(csm, ["accounts:read", "accounts:write"])
    refused = client.patch(url, {"custom": {"discount": 20}}, content_type="application/json", **headers)
    assert refused.status_code == 422
    assert logged_in(admin).post(EDITOR, with_group(COMMERCIAL, read=False, write=True)).status_code == 302
    row = FieldGroupPermission.objects.get(role__code="csm", resource="account", field_group="commercial")
    assert (row.can_read, row.can_write) == (True, True)
    response = client.patch(url, {"custom": {"discount": 20}}, content_type="application/json", **headers)
    assert response.status_code == 200, response.content
    assert response.json()["custom"]["discount"] == 20.0


def test_a_save_over_someone_elses_change_of_a_custom_fields_group_is_refused(admin, commercial):
    form = with_group(COMMERCIAL, read=True)
    policy_set(actor=admin, field_groups=[FieldGroupChange("csm", "account", "commercial", True, True)])
    response = logged_in(admin).post(EDITOR, form)
    assert response.status_code == 422
    assert "Someone else changed some of these permissions meanwhile" in response.content.decode()
    row = FieldGroupPermission.objects.get(role__code="csm", resource="account", field_group="commercial")
    assert (row.can_read, row.can_write) == (True, True)


def test_a_group_no_custom_field_uses_any_more_cannot_be_saved(admin, commercial):
    form = with_group(COMMERCIAL, read=True)
    for field in CustomField.objects.filter(field_group="commercial"):
        services.custom_field_update(actor=admin, field=field, field_group="")
    response = logged_in(admin).post(EDITOR, form)
    assert response.status_code == 422
    assert "Unknown field group “commercial”." in response.content.decode()
    assert not FieldGroupPermission.objects.filter(field_group="commercial").exists()


def test_the_lock_out_guard_refuses_a_save_that_also_grants_a_custom_fields_group(admin, commercial):
    form = with_group(COMMERCIAL, read=True)
    form["rule-administrator-access_policy-change"] = ""
    response = logged_in(admin).post(EDITOR, form)
    assert response.status_code == 422
    assert "This change would leave nobody able to change permissions; nothing was saved." in response.content.decode()
    assert not FieldGroupPermission.objects.filter(field_group="commercial").exists()
    assert Permission.objects.filter(role__code="administrator", resource="access_policy", action="change").exists()


def test_explain_access_reports_a_custom_fields_group_with_its_fields(admin, csm, priced_account, client):
    policy_set(actor=admin, field_groups=[FieldGroupChange("csm", "account", "commercial", True, False)])
    response = client.get(f"/api/v1/access/explain?user={csm.email}&resource=account"
                          f"&record={priced_account.public_id}", **bearer_for(admin, ["users:read"]))
    assert response.status_code == 200
    assert response.json()["field_groups"] == [
        {"field_group": "commercial", "can_read": True, "can_write": False,
         "fields": [{"name": "custom.contract_value", "label": "Contract value"},
                    {"name": "custom.discount", "label": "Discount"}]},
        {"field_group": "pricing", "can_read": True, "can_write": False,
         "fields": [{"name": "custom.list_price", "label": "List price"}]}]
    page = logged_in(admin).get(f"/admin/explain/?user={csm.public_id}&resource=contact").content.decode()
    assert "<code>personal</code>" in page and "Birthday" in page and "no role of the user" in page


def test_a_field_group_is_named_like_a_key(admin):
    with pytest.raises(ValidationFailed) as error:
        services.custom_field_create(actor=admin, resource="account", key="margin", label="Margin",
                                     field_type="number", field_group="Top secret")
    assert error.value.errors == {
        "field_group": ["Lower-case letters, digits and underscores, starting with a letter."]}
    field = services.custom_field_create(actor=admin, resource="account", key="margin", label="Margin",
                                         field_type="number", field_group=" finance ")
    assert field.field_group == "finance"
