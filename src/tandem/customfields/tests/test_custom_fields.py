from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tandem.access.models import FieldGroupPermission
from tandem.accounts import services as account_services
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.core.testing.factories import AccountFactory
from tandem.core.testing.fixtures import bearer_for, logged_in
from tandem.customfields import services
from tandem.customfields.models import CustomField
from tandem.transfer import services as transfer_services
from tandem.transfer.models import ImportMode


@pytest.fixture
def fields(admin):
    services.custom_field_create(actor=admin, resource="account", key="vertical", label="Vertical",
                                 field_type="choice", choices=["Fintech", "Health", "Retail"])
    services.custom_field_create(actor=admin, resource="account", key="seats_target", label="Seats target",
                                 field_type="number")
    services.custom_field_create(actor=admin, resource="account", key="list_price", label="List price",
                                 field_type="money", field_group="pricing")
    return CustomField.objects.all()


def test_only_administrators_define_fields(am):
    with pytest.raises(PermissionDenied):
        services.custom_field_create(actor=am, resource="account", key="x", label="X", field_type="text")
    assert not CustomField.objects.exists()


def test_values_are_validated_on_the_service_path(am, fields):
    with pytest.raises(ValidationFailed) as error:
        account_services.account_create(actor=am, name="A", custom={"vertical": "Space", "seats_target": "lots",
                                                                    "nope": 1})
    assert set(error.value.errors) == {"custom.vertical", "custom.seats_target", "custom.nope"}
    account = account_services.account_create(actor=am, name="B", custom={"vertical": "fintech",
                                                                          "list_price": "1200 EUR"})
    assert account.custom == {"vertical": "Fintech", "list_price": {"amount": "1200.00", "currency": "EUR"}}


def test_a_csm_reads_but_cannot_write_a_pricing_field(csm, am, fields):
    account = account_services.account_create(actor=am, name="Priced", owner=csm,
                                              custom={"list_price": "500 USD"})
    with pytest.raises(ValidationFailed) as error:
        account_services.account_update(actor=csm, account=account, custom={"list_price": "1 USD"})
    assert error.value.errors == {"custom.list_price": ["You may not change this field."]}
    body = logged_in(csm).get(f"/accounts/{account.public_id}/").content.decode()
    assert "500.00 USD" in body


def test_a_field_group_without_read_access_is_hidden_everywhere(csm, am, fields, client):
    FieldGroupPermission.objects.filter(role__code="csm", field_group="pricing").update(can_read=False)
    account = account_services.account_create(actor=am, name="Secret price", owner=csm,
                                              custom={"list_price": "987.65 USD", "vertical": "Retail"})
    # (a price no timestamp can contain: "999" once matched the microseconds of the export's created_at)
    api = client.get(f"/api/v1/accounts/{account.public_id}", **bearer_for(csm, ["accounts:read"])).json()
    assert api["custom"] == {"vertical": "Retail"}
    assert "987.65" not in logged_in(csm).get(f"/accounts/{account.public_id}/").content.decode()
    export = b"".join(logged_in(csm).get("/transfer/export/accounts.csv").streaming_content).decode()
    assert "custom.vertical" in export and "list_price" not in export and "987.65" not in export


def test_the_api_filters_and_sorts_by_custom_fields(admin, fields, client):
    for name, vertical, seats in (("A", "Fintech", 30), ("B", "Health", 10), ("C", "Fintech", 20)):
        account_services.account_create(actor=admin, name=name, custom={"vertical": vertical, "seats_target": seats})
    headers = bearer_for(admin, ["accounts:read"])
    fintech = client.get("/api/v1/accounts?custom=vertical:Fintech&sort=-custom.seats_target", **headers).json()
    assert [item["name"] for item in fintech["items"]] == ["A", "C"]
    first = client.get("/api/v1/accounts?sort=custom.seats_target&limit=2", **headers).json()
    second = client.get(f"/api/v1/accounts?sort=custom.seats_target&limit=2&cursor={first['next_cursor']}",
                        **headers).json()
    assert [i["name"] for i in first["items"]] + [i["name"] for i in second["items"]] == ["B", "C", "A"]
    assert client.get("/api/v1/accounts?custom=unknown:1", **headers).status_code == 422


def test_the_form_shows_and_saves_custom_fields(admin, fields):
    account = AccountFactory(name="Formed")
    client = logged_in(admin)
    form = client.get(f"/accounts/{account.public_id}/edit/").content.decode()
    assert "custom__vertical" in form
    client.post(f"/accounts/{account.public_id}/edit/", {
        "name": "Formed", "currency": "USD", "tier": "tech_touch", "lifecycle_stage": "onboarding",
        "custom__vertical": "Health", "custom__seats_target": "12"})
    account.refresh_from_db()
    assert account.custom == {"vertical": "Health", "seats_target": 12.0}


def test_imports_validate_custom_columns(manager, fields):
    text = "name,custom.vertical,Seats target\nGood,Retail,5\nBad,Space,x\n"
    job = transfer_services.import_job_create(
        actor=manager, kind="accounts", upload=SimpleUploadedFile("a.csv", text.encode(), content_type="text/csv"))
    assert job.mapping == {"name": "name", "custom.vertical": "custom.vertical", "Seats target": "custom.seats_target"}
    transfer_services.import_job_configure(actor=manager, job=job, mapping=job.mapping, mode=ImportMode.VALID_ROWS)
    transfer_services.import_job_validate(actor=manager, job=job)
    assert sorted((e.line, e.column) for e in job.row_errors.all()) == [(3, "Seats target"), (3, "custom.vertical")]
    transfer_services.import_job_start(actor=manager, job=job)
    transfer_services.import_job_run(actor=manager, job=job)
    from tandem.accounts.models import Account
    assert Account.objects.get(name="Good").custom == {"vertical": "Retail", "seats_target": 5.0}


def test_the_admin_page_adds_a_field(admin, outsider):
    assert logged_in(outsider).get("/admin/custom-fields/").status_code == 404
    logged_in(admin).post("/admin/custom-fields/", {"resource": "contact", "label": "Nickname", "key": "nickname",
                                                    "field_type": "text"})
    assert CustomField.objects.filter(resource="contact", key="nickname").exists()


def test_the_definitions_api_lets_administrators_manage_fields_and_others_read_them(admin, am, client):
    admin_headers = bearer_for(admin, ["accounts:read", "accounts:write"])
    created = client.post("/api/v1/custom-fields", {"resource": "account", "key": "segment_owner",
                                                    "label": "Segment owner", "field_type": "user"},
                          content_type="application/json", **admin_headers)
    assert created.status_code == 201, created.content
    field_id = created.json()["id"]
    assert client.patch(f"/api/v1/custom-fields/{field_id}", {"label": "Segment lead"},
                        content_type="application/json", **admin_headers).json()["label"] == "Segment lead"
    am_headers = bearer_for(am, ["accounts:read", "accounts:write"])
    assert [f["key"] for f in client.get("/api/v1/custom-fields", **am_headers).json()] == ["segment_owner"]
    denied = client.post("/api/v1/custom-fields", {"resource": "account", "key": "x", "label": "X",
                                                   "field_type": "text"}, content_type="application/json",
                         **am_headers)
    assert denied.status_code == 403
    assert client.delete(f"/api/v1/custom-fields/{field_id}", **admin_headers).status_code == 204
