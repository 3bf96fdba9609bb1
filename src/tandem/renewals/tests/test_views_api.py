"""The renewal pages and API: the calendar with value and the health placeholder, a renewal with suggested
prices, closing it on the page, the settings page, the home card."""

from __future__ import annotations

import pytest
from django.test import Client

from tandem.core.testing.fixtures import bearer_for, logged_in
from tandem.renewals import engine
from tandem.renewals.health import HealthBadge, clear_health_provider, register_health_provider
from tandem.renewals.models import RenewalRecord, RenewalSettings
from tandem.renewals.selectors import today

pytestmark = pytest.mark.django_db


@pytest.fixture
def soon(customer, products):
    """A subscription ending in 60 days, its renewal already open."""
    import datetime

    from tandem.access.decide import SYSTEM
    from tandem.contracts import services as contract_services

    start = today() + datetime.timedelta(days=60) - datetime.timedelta(days=364)
    subscription = contract_services.subscription_create(actor=SYSTEM, account=customer, plan=products["growth"],
                                                         currency="USD", seats=20, start_date=start, term_months=12)
    assert (subscription.end_date - today()).days in (59, 60, 61)
    engine.renewals_run()
    return subscription


def test_the_renewals_page_lists_what_ends_with_value_owner_stage_and_a_health_dash(soon, renewal, outsider):
    page = logged_in(renewal).get("/renewals/?within=90&owner=me").content.decode()
    assert "Seoul Robotics" in page and "1,000.00 USD" in page and "12,000.00 USD" in page
    assert "Upcoming" in page and "Rita Renewal" in page and "<td>—</td>" in page
    assert "Seoul Robotics" not in logged_in(renewal).get("/renewals/?within=30").content.decode()
    assert "Seoul Robotics" not in logged_in(outsider).get("/renewals/").content.decode()


def test_a_registered_health_provider_fills_the_health_column(soon, renewal):
    register_health_provider(lambda ids: {account_id: HealthBadge("Green", "green") for account_id in ids})
    try:
        assert "Green" in logged_in(renewal).get("/renewals/").content.decode()
    finally:
        clear_health_provider()


def test_the_renewal_page_shows_suggested_prices_and_closes_it(soon, renewal, outsider):
    record = RenewalRecord.objects.get()
    page = logged_in(renewal).get(f"/renewals/{record.public_id}/").content.decode()
    assert "900.00 USD" in page and "850.00 USD" in page and "30,600.00 USD" in page
    assert logged_in(outsider).get(f"/renewals/{record.public_id}/").status_code == 404
    response = logged_in(renewal).post(f"/renewals/{record.public_id}/close/", {"outcome": "churned", "reason": ""})
    assert response.status_code == 422 and "Say why" in response.content.decode()
    response = logged_in(renewal).post(f"/renewals/{record.public_id}/close/",
                                       {"outcome": "renewed", "term_months": "24"})
    assert response.status_code == 302
    soon.refresh_from_db()
    assert soon.term_months == 24 and str(soon.discount_percent) == "10.00"


def test_the_home_card_shows_the_renewal_specialists_renewals(soon, renewal, am):
    assert "My renewals due in 90 days" in logged_in(renewal).get("/").content.decode()
    assert "My renewals due in 90 days" not in logged_in(am).get("/").content.decode()


def test_administrators_edit_the_settings_on_a_page(admin, manager):
    assert logged_in(manager).get("/admin/renewals/").status_code == 404
    response = logged_in(admin).post("/admin/renewals/", {"notice_days": "120", "negotiation_days": "45",
                                                          "playbook": "-100: Plan the renewal\n-45: Quote",
                                                          "discount_rules": "24: 8\n36: 12"})
    assert response.status_code == 302
    row = RenewalSettings.objects.get()
    assert row.notice_days == 120 and row.playbook[0] == {"offset_days": -100, "title": "Plan the renewal"}
    response = logged_in(admin).post("/admin/renewals/", {"notice_days": "90", "negotiation_days": "30",
                                                          "playbook": "", "discount_rules": "24 eight"})
    assert response.status_code == 200 and RenewalSettings.objects.get().notice_days == 120


def test_the_api_lists_renewals_and_a_renewal_with_its_prices(soon, renewal):
    headers = bearer_for(renewal, ["renewals:read"])
    body = Client().get("/api/v1/renewals?within=90&owner=me", **headers).json()
    assert [(item["account"]["name"], item["mrr"], item["renewal"]["opportunity"]["stage_code"], item["health"])
            for item in body["items"]] == [("Seoul Robotics", "1000.00", "upcoming", None)]
    record_id = body["items"][0]["renewal"]["id"]
    detail = Client().get(f"/api/v1/renewals/{record_id}", **headers).json()
    assert [price["monthly"] for price in detail["suggested_prices"]] == ["1000.00", "900.00", "850.00"]
    response = Client().post(f"/api/v1/renewals/{record_id}/close", {"outcome": "churned"},
                             content_type="application/json",
                             **bearer_for(renewal, ["renewals:read", "renewals:write"]))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reason"
    settings = Client().get("/api/v1/renewals/settings", **headers).json()
    assert settings["notice_days"] == 90 and settings["discount_rules"][1]["min_term_months"] == 36
