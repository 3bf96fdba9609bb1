from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from tandem.core.testing.factories import AccountFactory
from tandem.core.testing.fixtures import bearer_for, logged_in
from tandem.pipeline import services
from tandem.pipeline.models import Lead, Opportunity, Stage
from tandem.transfer import services as transfer_services
from tandem.transfer.models import ImportMode

OPP = ["opportunities:read", "opportunities:write"]


def _post(client, url, body, headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def _patch(client, url, body, headers):
    return client.patch(url, json.dumps(body), content_type="application/json", **headers)


def test_a_csm_sending_an_amount_gets_403_naming_pricing_and_nothing_is_created(csm, customer, next_month):
    response = _post(Client(), "/api/v1/opportunities", {
        "account": customer.public_id, "type": "expansion", "name": "More seats", "close_date": str(next_month),
        "mrr_delta": "500"}, bearer_for(csm, OPP))
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json", response.content
    body = response.json()
    assert "pricing" in body["detail"] and {e["field"] for e in body["errors"]} == {"mrr_delta", "one_off_amount"}
    assert not Opportunity.objects.exists()


def test_a_csm_creates_an_expansion_without_a_price_owned_by_the_am(csm, am, customer, next_month):
    response = _post(Client(), "/api/v1/opportunities", {
        "account": customer.public_id, "type": "expansion", "name": "More seats", "close_date": str(next_month)},
        bearer_for(csm, OPP))
    assert response.status_code == 201, response.content
    assert response.json()["owner"]["email"] == am.email and response.json()["mrr_delta"] is None


def test_two_patches_with_the_same_version_the_second_gets_409(am, customer, next_month):
    opportunity = services.opportunity_create(actor=am, account=customer, type="upsell", name="X",
                                              close_date=next_month)
    headers, url = bearer_for(am, OPP), f"/api/v1/opportunities/{opportunity.public_id}"
    first = _patch(Client(), url, {"version": 1, "stage": "proposal"}, headers)
    assert first.status_code == 200 and first.json()["version"] == 2
    second = _patch(Client(), url, {"version": 1, "name": "Overwrite"}, headers)
    assert second.status_code == 409 and second["Content-Type"] == "application/problem+json"
    assert Opportunity.objects.get(pk=opportunity.pk).name == "X"


def test_a_stage_of_another_pipeline_gets_422_naming_the_stage(am, customer, next_month):
    renewal_stage = Stage.objects.get(pipeline__opportunity_type="renewal", code="committed")
    response = _post(Client(), "/api/v1/opportunities", {
        "account": customer.public_id, "type": "upsell", "name": "X", "close_date": str(next_month),
        "stage": renewal_stage.public_id}, bearer_for(am, OPP))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["stage"]


def test_an_outsider_gets_404_for_an_opportunity_and_a_lead(am, outsider, customer, next_month, sdr):
    opportunity = services.opportunity_create(actor=am, account=customer, type="upsell", name="X",
                                              close_date=next_month)
    headers = bearer_for(outsider, [*OPP, "leads:read"])
    assert Client().get(f"/api/v1/opportunities/{opportunity.public_id}", **headers).status_code == 404
    lead = Lead.objects.create(company_name="Hidden", owner=sdr)
    assert Client().get(f"/api/v1/leads/{lead.public_id}", **headers).status_code == 404
    assert Client().get("/api/v1/forecast", **headers).status_code == 403  # no role reads pricing


def test_lead_intake_call_and_qualification_through_the_api(sdr, ae):
    headers = bearer_for(sdr, ["leads:read", "leads:write", *OPP])
    created = _post(Client(), "/api/v1/leads", {"company_name": "Daegu Foods", "contact_email": "ceo@daegu.kr",
                                                "contact_last_name": "Kim", "trial_ends_on": "2025-04-01"}, headers)
    assert created.status_code == 201 and created.json()["owner"]["email"] == sdr.email
    lead_id = created.json()["id"]
    assert _post(Client(), f"/api/v1/leads/{lead_id}/calls", {"outcome": "connected"}, headers).status_code == 201
    qualified = _post(Client(), f"/api/v1/leads/{lead_id}/qualify", {"ae": ae.email, "mrr_delta": "1200"}, headers)
    assert qualified.status_code == 200, qualified.content
    body = qualified.json()
    assert body["lead"]["status"] == "qualified" and body["lead"]["calls"] == 1 and body["handoff"]
    assert body["opportunity"]["owner"]["email"] == ae.email and body["opportunity"]["mrr_delta"] == "1200.00"


def test_the_forecast_api_and_pipelines_list(am, customer):
    closing = datetime.date.today().replace(day=28)
    services.opportunity_create(actor=am, account=customer, type="upsell", name="A", close_date=closing,
                                mrr_delta=Decimal("1000"), stage=Stage.objects.get(
                                    pipeline__opportunity_type="upsell", code="proposal"))
    body = Client().get("/api/v1/forecast?months=1", **bearer_for(am, OPP)).json()
    assert [(row["weighted_mrr"], row["owner"]["email"]) for row in body["rows"]] == [("500.00", am.email)]
    pipelines = Client().get("/api/v1/pipelines", **bearer_for(am, OPP)).json()["items"]
    assert {item["opportunity_type"] for item in pipelines} == {"new_business", "upsell", "cross_sell", "expansion",
                                                                "renewal"}


def test_the_board_moves_a_card_with_htmx_and_without_javascript(am, customer, next_month):
    opportunity = services.opportunity_create(actor=am, account=customer, type="upsell", name="Board deal",
                                              close_date=next_month)
    client = logged_in(am)
    page = client.get("/pipeline/?type=upsell")
    assert page.status_code == 200 and b"Board deal" in page.content
    proposal = Stage.objects.get(pipeline__opportunity_type="upsell", code="proposal")
    swapped = client.post(f"/pipeline/opportunities/{opportunity.public_id}/move/",
                          {"stage": proposal.public_id, "version": "1"}, HTTP_HX_REQUEST="true")
    assert swapped.status_code == 200 and b'id="board"' in swapped.content
    stale = client.post(f"/pipeline/opportunities/{opportunity.public_id}/move/",
                        {"stage": proposal.public_id, "version": "1"}, HTTP_HX_REQUEST="true")
    assert b"Someone else changed this opportunity" in stale.content
    won = Stage.objects.get(pipeline__opportunity_type="upsell", code="won")
    plain = client.post(f"/pipeline/opportunities/{opportunity.public_id}/move/", {"stage": won.public_id,
                                                                                  "version": "2"})
    assert plain.status_code == 302
    assert Opportunity.objects.get(pk=opportunity.pk).stage == won


def test_winning_new_business_without_plan_and_seats_says_no_subscription_was_started(am, customer, next_month):
    opportunity = services.opportunity_create(actor=am, account=customer, type="new_business", name="First deal",
                                              close_date=next_month)
    won = Stage.objects.get(pipeline__opportunity_type="new_business", code="won")
    swapped = logged_in(am).post(f"/pipeline/opportunities/{opportunity.public_id}/move/",
                                 {"stage": won.public_id, "version": "1"}, HTTP_HX_REQUEST="true")
    assert b"First deal is won, but no subscription was started" in swapped.content
    assert Opportunity.objects.get(pk=opportunity.pk).subscription is None


def test_pages_render_for_their_roles(am, sdr, admin, customer, next_month):
    services.opportunity_create(actor=am, account=customer, type="upsell", name="Listed", close_date=next_month,
                                mrr_delta=Decimal("10"))
    client = logged_in(am)
    for url in ("/pipeline/list/?owner=me", "/pipeline/forecast/", "/pipeline/new/",
                f"/accounts/{customer.public_id}/", "/"):
        assert client.get(url).status_code == 200, url
    assert b"Listed" in client.get(f"/accounts/{customer.public_id}/").content
    assert logged_in(sdr).get("/leads/").status_code == 200
    assert logged_in(sdr).get("/").status_code == 200
    assert logged_in(admin).get("/admin/pipelines/").status_code == 200
    assert logged_in(am).get("/admin/pipelines/").status_code == 404


def test_the_edit_form_shows_a_conflict(am, customer, next_month):
    opportunity = services.opportunity_create(actor=am, account=customer, type="upsell", name="Form deal",
                                              close_date=next_month)
    services.opportunity_update(actor=am, opportunity=opportunity, version=1, name="Changed elsewhere")
    response = logged_in(am).post(f"/pipeline/opportunities/{opportunity.public_id}/edit/", {
        "account": customer.public_id, "type": "upsell", "name": "Mine", "close_date": str(next_month),
        "version": "1"})
    assert response.status_code == 409 and b"Someone else changed this opportunity" in response.content
    assert Opportunity.objects.get(pk=opportunity.pk).name == "Changed elsewhere"


def _import(actor, kind, text):
    upload = ContentFile(text.encode(), name=f"{kind}.csv")
    job = transfer_services.import_job_create(actor=actor, kind=kind, upload=upload)
    transfer_services.import_job_configure(actor=actor, job=job, mapping=job.mapping, mode=ImportMode.VALID_ROWS,
                                           remember=False)
    job.refresh_from_db()
    transfer_services.import_job_validate(actor=actor, job=job)
    job.refresh_from_db()
    return job


@pytest.mark.django_db(transaction=False)
def test_a_lead_import_reports_bad_rows_by_line_and_imports_the_good_ones(sdr):
    job = _import(sdr, "leads", "company,email,source,trial end\nIncheon Air,a@incheon.kr,trial,2025-05-01\n"
                                ",b@x.kr,trial,\nUlsan Steel,not-an-email,fax,2025-13-01\n")
    problems = sorted((error.line, error.column) for error in job.row_errors.all())
    assert (3, "company") in problems and (4, "source") in problems and (4, "trial end") in problems
    transfer_services.import_job_start(actor=sdr, job=job)
    job.refresh_from_db()
    transfer_services.import_job_run(actor=sdr, job=job)
    assert list(Lead.objects.values_list("company_name", flat=True)) == ["Incheon Air"]


def test_an_opportunity_import_refuses_a_stage_of_another_pipeline_and_a_csm_price(csm, am, customer):
    customer.external_id = "c-1"
    customer.save()
    AccountFactory(external_id="c-2", owner=am)
    job = _import(am, "opportunities", "account id,type,name,stage,mrr,close date\n"
                                      "c-1,upsell,Good,proposal,100,2025-06-30\nc-1,upsell,Bad,renewed,,2025-06-30\n")
    assert [(error.line, error.column) for error in job.row_errors.all()] == [(3, "stage")]
    csm_job = _import(csm, "opportunities",
                      "account id,type,name,mrr,close date\nc-1,expansion,Priced,100,2025-06-30\n")
    assert "pricing" in csm_job.row_errors.get().message
