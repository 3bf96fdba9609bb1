"""Quotas: attainment from the data (bookings, calls, opportunities created), setting them (one person, a whole
role), and who sees and sets whose."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from tandem.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from tandem.core.testing.factories import AccountFactory, TeamFactory, UserFactory, assign
from tandem.core.testing.fixtures import bearer_for, logged_in
from tandem.pipeline import leads as lead_services
from tandem.pipeline import services as pipeline_services
from tandem.pipeline.models import Stage
from tandem.quotas import logic, selectors, services
from tandem.quotas.models import Quota

pytestmark = pytest.mark.django_db


@pytest.fixture
def sdr(db):
    return UserFactory(email="sandy@example.test", full_name="Sandy SDR", roles=["sdr"])


def _won_expansion(am, amount):
    account = AccountFactory(owner=am, currency="USD")
    assign(account, am, "am")
    won = Stage.objects.get(pipeline__opportunity_type="expansion", kind="won")
    return pipeline_services.opportunity_create(actor=am, account=account, type="expansion", name="More seats",
                                                close_date=datetime.date.today(), mrr_delta=Decimal(amount),
                                                currency="USD", stage=won)


def test_an_am_with_a_10000_quota_and_7500_of_won_expansions_is_at_75_percent(admin, am):
    quota = services.quota_set(actor=admin, user=am, metric="bookings", period="month", target=Decimal(10_000))
    _won_expansion(am, 5000)
    _won_expansion(am, 2500)
    item = selectors.attainment(quota)
    assert (item.actual, item.percent, item.unit) == (Decimal("7500.00"), Decimal("75.0"), "USD")
    assert quota.role == "am" and quota.period_start == datetime.date.today().replace(day=1)
    home = logged_in(am).get("/").content.decode()
    assert "My quota: 7,500 of 10,000 USD booked — 75 %" in home


def test_an_sdr_is_measured_on_calls_and_opportunities_created(admin, sdr):
    calls = services.quota_set(actor=admin, user=sdr, metric="calls", period="month", target=Decimal(4))
    created = services.quota_set(actor=admin, user=sdr, metric="opportunities", period="quarter", target=Decimal(2))
    lead = lead_services.lead_create(actor=sdr, company_name="Trial Co")
    for _index in range(3):
        lead_services.lead_call_log(actor=sdr, lead=lead)
    pipeline_services.opportunity_create(actor=sdr, account=AccountFactory(owner=sdr), type="new_business",
                                         name="Trial Co", close_date=datetime.date.today())
    assert selectors.attainment(calls).percent == Decimal("75.0")
    assert (selectors.attainment(created).actual, selectors.attainment(created).percent) == (Decimal(1),
                                                                                            Decimal("50.0"))


def test_setting_a_quota_for_a_role_gives_it_to_everyone_in_the_managers_team_only(manager, am):
    other_am = UserFactory(email="ola@example.test", roles=["am"])
    team = TeamFactory(manager=manager)
    team.members.add(am)
    made = services.quota_bulk_set(actor=manager, role="am", metric="bookings", period="quarter",
                                   period_start=datetime.date(2026, 5, 17), target=Decimal(30_000))
    assert [quota.user for quota in made] == [am]
    assert made[0].period_start == datetime.date(2026, 4, 1)
    with pytest.raises(PermissionDenied):
        services.quota_set(actor=manager, user=other_am, target=Decimal(1000))
    assert not Quota.objects.filter(user=other_am).exists()


def test_a_rep_sees_only_their_own_quota_and_an_outsider_none(admin, am, csm, outsider):
    mine = services.quota_set(actor=admin, user=am, target=Decimal(10_000))
    services.quota_set(actor=admin, user=csm, role="csm", target=Decimal(5_000))
    assert list(selectors.quota_list(actor=am)) == [mine]
    with pytest.raises(NotFound):
        selectors.quota_get(actor=csm, public_id=mine.public_id)
    assert not selectors.quota_list(actor=outsider).exists()
    with pytest.raises(PermissionDenied):
        services.quota_set(actor=am, user=am, target=Decimal(1))


def test_bad_quotas_are_refused_with_their_field(admin, am):
    with pytest.raises(ValidationFailed) as error:
        services.quota_set(actor=admin, user=am, metric="revenue", period="week", target=Decimal(0))
    assert set(error.value.errors) == {"metric", "period", "target"}
    with pytest.raises(ValidationFailed) as error:
        services.quota_set(actor=admin, user=am, role="sdr", target=Decimal(10))
    assert "role" in error.value.errors


def test_period_bounds():
    assert logic.period_start("quarter", datetime.date(2026, 11, 30)) == datetime.date(2026, 10, 1)
    assert logic.period_end("quarter", datetime.date(2026, 10, 1)) == datetime.date(2026, 12, 31)
    assert logic.period_end("year", datetime.date(2026, 1, 1)) == datetime.date(2026, 12, 31)
    assert logic.period_end("month", datetime.date(2024, 2, 1)) == datetime.date(2024, 2, 29)
    assert logic.attainment_percent(Decimal(7500), Decimal(10000)) == Decimal("75.0")


def test_the_team_page_shows_members_by_metric_for_a_manager(manager, am):
    team = TeamFactory(manager=manager)
    team.members.add(am)
    services.quota_set(actor=manager, user=am, target=Decimal(10_000))
    _won_expansion(am, 2500)
    page = logged_in(manager).get("/quotas/?period=month").content.decode()
    assert "Adam AM" in page and "2,500 / 10,000 USD" in page and "25 %" in page
    response = logged_in(manager).post("/quotas/set/", {"person": "role:am", "metric": "calls", "period": "month",
                                                        "period_start": "2026-01-15", "target": "100"})
    assert response.status_code == 302
    assert Quota.objects.filter(user=am, metric="calls", period_start=datetime.date(2026, 1, 1)).exists()


def test_the_quota_api_lists_only_visible_quotas_and_reports_attainment(admin, am, csm):
    services.quota_set(actor=admin, user=am, target=Decimal(10_000))
    _won_expansion(am, 7500)
    headers = bearer_for(am, ["quotas:read"])
    body = Client().get("/api/v1/quotas/attainment", **headers).json()
    assert [(item["quota"]["user"]["email"], item["percent"]) for item in body["items"]] == [
        ("adam@example.test", "75.0")]
    assert Client().get("/api/v1/quotas", **bearer_for(csm, ["quotas:read"])).json()["items"] == []
    response = Client().post("/api/v1/quotas/bulk", {"role": "am", "target": "5000"}, content_type="application/json",
                             **bearer_for(admin, ["quotas:write"]))
    assert response.status_code == 201 and response.json()["items"][0]["target"] == "5000.00"
