"""The revenue pages: Account 360 section, the revenue overview with the chart, the subscription page where a
CSM sees the price fields read-only, and the roll-up to the parent."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tandem.access.decide import SYSTEM
from tandem.accounts.rollups import account_rollup
from tandem.contracts import services
from tandem.contracts.tests.helpers import D, catalog
from tandem.core.testing.factories import AccountFactory, UserFactory, assign
from tandem.core.testing.fixtures import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def products():
    return catalog()


@pytest.fixture
def subscription(products, am, csm):
    account = AccountFactory(owner=am, name="Acme")
    assign(account, csm, "csm")
    return services.subscription_create(actor=am, account=account, plan=products["growth"], currency="USD",
                                        seats=10, start_date=D(2024, 1, 1), term_months=12)


def test_the_account_page_shows_subscriptions_with_mrr_arr_and_history(subscription, am):
    page = logged_in(am).get(f"/accounts/{subscription.account.public_id}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Subscriptions" in text and "Growth" in text and 'data-testid="account-mrr"' in text
    assert "6,000.00 USD" in text  # ARR


def test_the_revenue_page_shows_totals_movements_and_an_svg_chart(subscription, admin):
    page = logged_in(admin).get("/revenue/?start=2024-01-01&end=2024-03-31")
    text = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in text and 'class="bar-new"' in text and 'data-testid="movements"' in text
    assert "500.00" in text


def test_a_csm_sees_the_price_fields_read_only_and_can_change_seats(subscription, csm):
    client = logged_in(csm)
    page = client.get(f"/revenue/subscriptions/{subscription.public_id}/")
    text = page.content.decode()
    assert page.status_code == 200
    price_input = re.search(r'<input[^>]*name="unit_price"[^>]*>', text)
    assert price_input and "disabled" in price_input.group(0)
    assert 'id="renew-heading"' not in text  # renewing sets a contract term: pricing
    answer = client.post(f"/revenue/subscriptions/{subscription.public_id}/amend/", {  # disabled inputs: not sent
        "version": 1, "effective_date": "2024-02-01", "plan": "growth", "seats": 12})
    assert answer.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.seats, subscription.unit_price, subscription.discount_percent) == (12, Decimal(50), 0)


def test_a_price_a_csm_posts_anyway_is_refused_naming_the_pricing_field_group(subscription, csm):
    client = logged_in(csm)
    unchanged = client.post(f"/revenue/subscriptions/{subscription.public_id}/amend/", {  # the current values
        "version": 1, "effective_date": "2024-02-01", "plan": "growth", "seats": 11, "unit_price": "50.00",
        "discount_percent": "0"})
    assert unchanged.status_code == 302
    for sent in ({"unit_price": "1"}, {"discount_percent": "50"}, {"unit_price": "cheap"}):
        answer = client.post(f"/revenue/subscriptions/{subscription.public_id}/amend/", {
            "version": 2, "effective_date": "2024-03-01", "plan": "growth", "seats": 12, **sent})
        text = answer.content.decode()
        assert answer.status_code == 403, sent
        assert "“pricing” field group" in text and "You may not change the pricing field group." in text
        assert "Nothing to change" not in text
    subscription.refresh_from_db()
    assert (subscription.seats, subscription.unit_price, subscription.discount_percent) == (11, Decimal(50), 0)
    assert subscription.changes.count() == 2 and subscription.version == 2


def test_an_am_amends_the_price_in_the_form(subscription, am):
    answer = logged_in(am).post(f"/revenue/subscriptions/{subscription.public_id}/amend/", {
        "version": 1, "effective_date": "2024-02-01", "plan": "growth", "seats": 10, "unit_price": "45",
        "discount_percent": "0"})
    assert answer.status_code == 302
    subscription.refresh_from_db()
    assert subscription.unit_price == Decimal(45) and subscription.changes.first().kind == "price_change"


def test_a_stale_form_shows_the_conflict(subscription, am):
    services.subscription_amend(actor=am, subscription=subscription, effective_date=D(2024, 2, 1), seats=11)
    answer = logged_in(am).post(f"/revenue/subscriptions/{subscription.public_id}/amend/", {
        "version": 1, "effective_date": "2024-03-01", "plan": "growth", "seats": 20, "unit_price": "50",
        "discount_percent": "0"})
    assert answer.status_code == 422 and "Someone else changed this subscription" in answer.content.decode()


def test_outsiders_get_404_for_subscription_pages(subscription, outsider):
    assert logged_in(outsider).get(f"/revenue/subscriptions/{subscription.public_id}/").status_code == 404
    assert logged_in(outsider).get("/revenue/").status_code == 404


def test_the_parent_roll_up_sums_mrr_over_visible_children(products, admin):
    parent = AccountFactory(name="Group")
    child = AccountFactory(name="Subsidiary", parent=parent)
    for account, seats in ((parent, 2), (child, 3)):
        services.subscription_create(actor=SYSTEM, account=account, plan=products["growth"], currency="USD",
                                     seats=seats, start_date=D(2024, 1, 1), term_months=120)
    metrics = {key: value for key, _label, value in account_rollup(actor=admin, account=parent).metrics}
    assert metrics["mrr"] == "250.00 USD"


def test_creating_a_subscription_in_the_form(products, am):
    account = AccountFactory(owner=am)
    answer = logged_in(am).post(f"/revenue/subscriptions/new/?account={account.public_id}", {
        "plan": "growth", "currency": "USD", "seats": 3, "start_date": "2024-01-01", "term_months": 12,
        "unit_price": "", "discount_percent": "0", "add_ons": ["sso"], "auto_renew": "on"})
    assert answer.status_code == 302
    assert account.subscriptions.get().mrr == Decimal(350)


def test_a_price_sent_by_someone_without_pricing_write_on_the_new_subscription_form_is_refused(products):
    ae = UserFactory(email="eddie@example.test", full_name="Eddie AE", roles=["ae"])
    account = AccountFactory(owner=ae)
    client = logged_in(ae)
    form = {"plan": "growth", "currency": "USD", "seats": 3, "start_date": "2024-01-01", "term_months": 12,
            "auto_renew": "on"}
    refused = client.post(f"/revenue/subscriptions/new/?account={account.public_id}", {**form, "unit_price": "1"})
    assert refused.status_code == 403 and "“pricing” field group" in refused.content.decode()
    assert not account.subscriptions.exists()
    answer = client.post(f"/revenue/subscriptions/new/?account={account.public_id}", {**form, "discount_percent": "0"})
    assert answer.status_code == 302
    assert account.subscriptions.get().mrr == Decimal(150)  # the price book's 50 USD per seat


def test_the_timeline_says_what_a_seat_change_and_a_renewal_did(subscription, am):
    services.subscription_amend(actor=am, subscription=subscription, effective_date=D(2024, 3, 1), seats=12)
    subscription.refresh_from_db()
    services.subscription_renew(actor=am, subscription=subscription, effective_date=D(2025, 1, 1), term_months=12)
    text = logged_in(am).get(f"/timeline/accounts/{subscription.account.public_id}/").content.decode()
    assert "Subscription Growth: seats 10 → 12" in text
    assert "renewed until 12/31/2025" in text  # the reader's date format, not 2025-12-31
