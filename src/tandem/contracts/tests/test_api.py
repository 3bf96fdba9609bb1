"""The contracts API: subscriptions with amendments, the pricing field group as 403, stale versions as 409,
MRR and movements, the catalog and exchange rates."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from tandem.access.decide import SYSTEM
from tandem.contracts import services
from tandem.contracts.tests.helpers import D, catalog
from tandem.core.testing.factories import AccountFactory, assign
from tandem.core.testing.fixtures import bearer_for

pytestmark = pytest.mark.django_db
SCOPES = ["subscriptions:read", "subscriptions:write", "catalog:read", "catalog:write", "accounts:read"]


def post(client: Client, url: str, body: dict, headers: dict) -> object:
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def products():
    return catalog()


@pytest.fixture
def setup(products, am, csm):
    account = AccountFactory(owner=am)
    assign(account, csm, "csm")
    subscription = services.subscription_create(actor=am, account=account, plan=products["growth"], currency="USD",
                                                seats=10, start_date=D(2024, 1, 1), term_months=12)
    return account, subscription


def test_an_am_creates_a_subscription_amends_it_and_reads_the_history(client, products, am):
    account = AccountFactory(owner=am)
    headers = bearer_for(am, SCOPES)
    created = post(client, "/api/v1/subscriptions", {
        "account": account.public_id, "plan": "growth", "currency": "USD", "seats": 10,
        "start_date": "2024-01-01", "term_months": 12, "discount_percent": "10",
        "add_ons": [{"product": "sso"}]}, headers)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["mrr"], body["end_date"], body["version"]) == ("630.00", "2024-12-31", 1)
    amended = post(client, f"/api/v1/subscriptions/{body['id']}/amendments",
                   {"version": 1, "effective_date": "2024-04-01", "seats": 20, "reason": "Team grew"}, headers)
    assert amended.status_code == 201, amended.content
    assert (amended.json()["kind"], amended.json()["movement"], amended.json()["mrr_delta"]) == (
        "seat_change", "expansion", "450.00")
    history = client.get(f"/api/v1/subscriptions/{body['id']}/amendments?limit=1", **headers).json()
    assert [item["kind"] for item in history["items"]] == ["seat_change"] and history["next_cursor"]
    second = client.get(f"/api/v1/subscriptions/{body['id']}/amendments?limit=1&cursor={history['next_cursor']}",
                        **headers).json()
    assert [item["kind"] for item in second["items"]] == ["created"]
    mrr = client.get(f"/api/v1/accounts/{account.public_id}/mrr?on=2024-03-31", **headers).json()
    assert (mrr["mrr"], mrr["arr"], mrr["currency"]) == ("630.00", "7560.00", "USD")


def test_a_csm_sending_a_price_gets_403_naming_the_pricing_field_group(client, setup, csm):
    _account, subscription = setup
    headers = bearer_for(csm, SCOPES)
    refused = post(client, f"/api/v1/subscriptions/{subscription.public_id}/amendments",
                   {"version": 1, "effective_date": "2024-02-01", "unit_price": "40"}, headers)
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("application/problem+json")
    assert "“pricing” field group" in refused.json()["detail"]
    seats = post(client, f"/api/v1/subscriptions/{subscription.public_id}/amendments",
                 {"version": 1, "effective_date": "2024-02-01", "seats": 12}, headers)
    assert seats.status_code == 201


def test_a_stale_version_answers_409(client, setup, am):
    _account, subscription = setup
    headers = bearer_for(am, SCOPES)
    url = f"/api/v1/subscriptions/{subscription.public_id}/amendments"
    assert post(client, url, {"version": 1, "effective_date": "2024-02-01", "seats": 11}, headers).status_code == 201
    stale = post(client, url, {"version": 1, "effective_date": "2024-03-01", "seats": 30}, headers)
    assert stale.status_code == 409 and "reload" in stale.json()["detail"]


def test_renew_and_churn_through_the_api(client, setup, am):
    _account, subscription = setup
    headers = bearer_for(am, SCOPES)
    renewed = post(client, f"/api/v1/subscriptions/{subscription.public_id}/renew",
                   {"version": 1, "effective_date": "2024-12-01", "term_months": 24}, headers)
    assert renewed.status_code == 201 and renewed.json()["state"]["end_date"] == "2026-12-31"
    churned = post(client, f"/api/v1/subscriptions/{subscription.public_id}/churn",
                   {"version": 2, "effective_date": "2025-06-01", "reason": "Closed down"}, headers)
    assert churned.status_code == 201 and churned.json()["movement"] == "churn"
    assert client.get(f"/api/v1/subscriptions/{subscription.public_id}", **headers).json()["status"] == "churned"


def test_movements_endpoint_reports_the_months(client, setup, admin):
    headers = bearer_for(admin, SCOPES)
    answer = client.get("/api/v1/mrr/movements?start=2024-01-01&end=2024-02-15", **headers)
    assert answer.status_code == 200, answer.content
    rows = answer.json()["rows"]
    assert [row["period"] for row in rows] == ["2024-01-01", "2024-02-01"]
    assert rows[0]["new"] == "500.00" and rows[1]["opening"] == "500.00"
    bad = client.get("/api/v1/mrr/movements?start=2024-03-01&end=2024-02-01", **headers)
    assert bad.status_code == 422


def test_a_currency_without_a_rate_is_a_422_field_error(client, products, am):
    account = AccountFactory(owner=am)
    answer = post(client, "/api/v1/subscriptions", {
        "account": account.public_id, "plan": "growth", "currency": "CHF", "seats": 1, "start_date": "2024-01-01",
        "term_months": 12, "unit_price": "10"}, bearer_for(am, SCOPES))
    assert answer.status_code == 422
    assert any("CHF" in error.get("message", json.dumps(error)) for error in answer.json()["errors"])


def test_outsiders_get_404_for_subscriptions_and_account_mrr(client, setup, outsider):
    account, subscription = setup
    headers = bearer_for(outsider, SCOPES)
    assert client.get(f"/api/v1/subscriptions/{subscription.public_id}", **headers).status_code == 404
    assert client.get(f"/api/v1/accounts/{account.public_id}/mrr", **headers).status_code == 404
    assert client.get("/api/v1/subscriptions", **headers).json()["items"] == []


def test_catalog_changes_need_the_catalog_permission(client, products, am, admin):
    denied = post(client, "/api/v1/products", {"name": "Scale", "code": "scale"}, bearer_for(am, SCOPES))
    assert denied.status_code == 403
    created = post(client, "/api/v1/products", {"name": "Scale", "code": "scale"}, bearer_for(admin, SCOPES))
    assert created.status_code == 201
    rate = post(client, "/api/v1/exchange-rates", {"currency": "GBP", "valid_from": "2024-01-01", "rate": "1.27"},
                bearer_for(admin, SCOPES))
    assert rate.status_code == 201
    books = client.get("/api/v1/price-books", **bearer_for(am, SCOPES)).json()["items"]
    versions = client.get(f"/api/v1/price-books/{books[0]['id']}/versions", **bearer_for(am, SCOPES)).json()
    assert {price["product"]["code"] for price in versions["items"][0]["prices"]} >= {"growth", "sso"}
    new_version = post(client, f"/api/v1/price-books/{books[0]['id']}/versions", {
        "effective_from": "2025-01-01", "prices": [{"product": "growth", "currency": "USD", "amount": "55"}]},
        bearer_for(admin, SCOPES))
    assert new_version.status_code == 201
    assert Decimal(new_version.json()["prices"][0]["amount"]) == Decimal(55)


def test_tokens_without_the_subscription_scope_are_refused(client, setup, am):
    _account, subscription = setup
    headers = bearer_for(am, ["accounts:read"])
    assert client.get(f"/api/v1/subscriptions/{subscription.public_id}", **headers).status_code == 403


def test_a_csm_cannot_create_subscriptions(client, products, csm, am):
    account = AccountFactory(owner=am)
    assign(account, csm, "csm")
    services.subscription_create(actor=SYSTEM, account=account, plan=products["package"], currency="USD", seats=1,
                                 start_date=D(2024, 1, 1), term_months=12, unit_price=Decimal(900))
    answer = post(client, "/api/v1/subscriptions", {
        "account": account.public_id, "plan": "growth", "currency": "USD", "seats": 1, "start_date": "2024-01-01",
        "term_months": 12, "discount_percent": "20"}, bearer_for(csm, SCOPES))
    assert answer.status_code == 403
