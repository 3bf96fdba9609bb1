"""Subscriptions through the real services: MRR reconstructed from dated changes, movements, validation, the
pricing field group, optimistic locking and scope."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tandem.access.decide import SYSTEM
from tandem.contracts import selectors, services
from tandem.contracts.choices import ChangeKind, SubscriptionStatus
from tandem.contracts.models import SubscriptionChange
from tandem.contracts.tests.helpers import D, book, catalog
from tandem.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from tandem.core.testing.factories import AccountFactory
from tandem.timeline.models import Activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def products():
    return catalog()


def test_twenty_of_a_hundred_customers_moving_from_1000_to_1500_is_10000_usd_expansion_mrr(products):
    subscriptions = []
    for _index in range(100):
        subscriptions.append(services.subscription_create(
            actor=SYSTEM, account=AccountFactory(), plan=products["package"], currency="USD", seats=1,
            start_date=D(2025, 1, 1), term_months=12))
    for subscription in subscriptions[:20]:
        services.subscription_amend(actor=SYSTEM, subscription=subscription, effective_date=D(2025, 3, 1),
                                    plan=products["premium"], reason="Upsell")
    movements = selectors.mrr_movements(actor=SYSTEM, start=D(2025, 1, 1), end=D(2025, 3, 31))
    january, february, march = movements.rows
    assert january.new == Decimal("100000.00") and january.expansion == 0
    assert february.new == february.expansion == 0
    assert march.expansion == Decimal("10000.00")
    assert (march.new, march.contraction, march.churn, march.reactivation) == (0, 0, 0, 0)
    assert march.opening == Decimal("100000.00") and march.closing == Decimal("110000.00")
    assert SubscriptionChange.objects.filter(kind=ChangeKind.PLAN_UPGRADE).count() == 20


def test_mrr_on_any_past_date_is_reconstructed_from_the_dated_changes(products):
    account = AccountFactory()
    subscription = services.subscription_create(actor=SYSTEM, account=account, plan=products["growth"],
                                                currency="USD", seats=10, start_date=D(2024, 1, 1), term_months=24)
    services.subscription_amend(actor=SYSTEM, subscription=subscription, effective_date=D(2024, 6, 1), seats=15)
    services.subscription_amend(actor=SYSTEM, subscription=subscription, effective_date=D(2024, 9, 1),
                                add_ons=[{"product": "sso", "quantity": 1}])
    services.subscription_churn(actor=SYSTEM, subscription=subscription, effective_date=D(2025, 3, 1),
                                reason="Budget cut")
    expected = {D(2023, 12, 31): 0, D(2024, 1, 1): 500, D(2024, 5, 31): 500, D(2024, 6, 1): 750,
                D(2024, 10, 15): 950, D(2025, 2, 28): 950, D(2025, 3, 1): 0}
    for day, mrr in expected.items():
        assert selectors.account_mrr(actor=SYSTEM, account=account, on=day).mrr == Decimal(mrr), day
        assert selectors.subscription_mrr_on(subscription=subscription, on=day) == Decimal(mrr), day
    assert selectors.mrr_total(actor=SYSTEM, on=D(2024, 7, 1)).arr == Decimal(9000)
    kinds = list(subscription.changes.order_by("effective_date").values_list("kind", flat=True))
    assert kinds == ["created", "seat_change", "add_on_added", "churn"]


def test_a_new_price_book_version_does_not_rewrite_existing_subscriptions(products):
    subscription = services.subscription_create(actor=SYSTEM, account=AccountFactory(), plan=products["growth"],
                                                currency="USD", seats=10, start_date=D(2024, 1, 1), term_months=12)
    services.price_book_version_create(actor=SYSTEM, price_book=book(), effective_from=D(2024, 4, 1), prices=[
        {"product": products["growth"], "currency": "USD", "amount": Decimal(60)}])
    subscription.refresh_from_db()
    assert subscription.unit_price == Decimal(50) and subscription.mrr == Decimal(500)
    later = services.subscription_create(actor=SYSTEM, account=AccountFactory(), plan=products["growth"],
                                         currency="USD", seats=10, start_date=D(2024, 5, 1), term_months=12)
    assert later.unit_price == Decimal(60)
    services.subscription_amend(actor=SYSTEM, subscription=subscription, effective_date=D(2024, 6, 1), seats=11)
    assert subscription.unit_price == Decimal(50) and subscription.mrr == Decimal(550)


def test_exchange_rates_convert_each_change_at_the_rate_of_its_date(products):
    account = AccountFactory()
    subscription = services.subscription_create(actor=SYSTEM, account=account, plan=products["growth"],
                                                currency="EUR", seats=10, start_date=D(2023, 12, 1), term_months=24)
    assert subscription.mrr == Decimal(450)
    assert selectors.account_mrr(actor=SYSTEM, account=account, on=D(2023, 12, 31)).mrr == Decimal("495.00")
    assert selectors.account_mrr(actor=SYSTEM, account=account, on=D(2024, 1, 1)).mrr == Decimal("540.00")
    services.subscription_amend(actor=SYSTEM, subscription=subscription, effective_date=D(2024, 2, 1), seats=20)
    movements = selectors.mrr_movements(actor=SYSTEM, start=D(2023, 12, 1), end=D(2024, 2, 29))
    assert [row.new for row in movements.rows] == [Decimal("495.00"), 0, 0]
    assert movements.rows[2].expansion == Decimal("540.00")  # 450 EUR × 1.20


def test_a_currency_without_a_rate_for_the_date_is_refused_never_converted_at_one(products):
    with pytest.raises(ValidationFailed) as refused:
        services.subscription_create(actor=SYSTEM, account=AccountFactory(), plan=products["growth"],
                                     currency="GBP", seats=1, start_date=D(2024, 1, 1), term_months=12,
                                     unit_price=Decimal(40))
    assert "no exchange rate from GBP to USD on or before 2024-01-01" in refused.value.errors["currency"][0]
    with pytest.raises(ValidationFailed) as early:
        services.subscription_create(actor=SYSTEM, account=AccountFactory(), plan=products["growth"],
                                     currency="EUR", seats=1, start_date=D(2019, 6, 1), term_months=12)
    assert "EUR" in early.value.message and "2019-06-01" in early.value.message


def test_churn_then_reactivation_is_classified_as_churn_and_reactivation(products):
    subscription = services.subscription_create(actor=SYSTEM, account=AccountFactory(), plan=products["growth"],
                                                currency="USD", seats=4, start_date=D(2024, 1, 1), term_months=12)
    services.subscription_churn(actor=SYSTEM, subscription=subscription, effective_date=D(2024, 3, 10),
                                reason="Moved to a competitor")
    assert subscription.status == SubscriptionStatus.CHURNED
    services.subscription_reactivate(actor=SYSTEM, subscription=subscription, effective_date=D(2024, 5, 1),
                                     seats=6)
    rows = selectors.mrr_movements(actor=SYSTEM, start=D(2024, 1, 1), end=D(2024, 5, 31)).rows
    assert [row.new for row in rows] == [Decimal(200), 0, 0, 0, 0]
    assert rows[2].churn == Decimal(-200) and rows[4].reactivation == Decimal(300)
    assert rows[4].closing == Decimal(300)


def test_seat_reduction_and_downgrade_are_contraction(products):
    subscription = services.subscription_create(actor=SYSTEM, account=AccountFactory(), plan=products["premium"],
                                                currency="USD", seats=1, start_date=D(2024, 1, 1), term_months=12)
    change = services.subscription_amend(actor=SYSTEM, subscription=subscription, effective_date=D(2024, 2, 1),
                                         plan=products["package"])
    assert (change.kind, change.movement, change.mrr_delta) == ("plan_downgrade", "contraction", Decimal(-500))


def test_renewal_extends_the_end_date_by_the_term_and_expiry_drops_mrr(products):
    subscription = services.subscription_create(actor=SYSTEM, account=AccountFactory(), plan=products["growth"],
                                                currency="USD", seats=10, start_date=D(2024, 1, 1), term_months=12,
                                                auto_renew=False)
    assert subscription.end_date == D(2024, 12, 31)
    change = services.subscription_renew(actor=SYSTEM, subscription=subscription, effective_date=D(2024, 11, 1),
                                         term_months=24, discount_percent=Decimal(10))
    assert subscription.end_date == D(2026, 12, 31) and change.kind == "renewal"
    assert change.movement == "contraction" and change.mrr == Decimal(450)
    assert services.subscriptions_expire(actor=SYSTEM, on=D(2027, 1, 5)) == 1
    assert services.subscriptions_expire(actor=SYSTEM, on=D(2027, 1, 6)) == 0
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.EXPIRED
    assert selectors.account_mrr(actor=SYSTEM, account=subscription.account, on=D(2027, 1, 1)).mrr == 0


def test_subscriptions_ending_lists_active_subscriptions_ending_in_the_window(products):
    ending = services.subscription_create(actor=SYSTEM, account=AccountFactory(), plan=products["growth"],
                                          currency="USD", seats=1, start_date=D(2024, 1, 1), term_months=12)
    services.subscription_create(actor=SYSTEM, account=AccountFactory(), plan=products["growth"], currency="USD",
                                 seats=1, start_date=D(2024, 1, 1), term_months=24)
    found = selectors.subscriptions_ending(actor=SYSTEM, start=D(2024, 12, 1), end=D(2024, 12, 31))
    assert list(found) == [ending]


@pytest.mark.parametrize(("changes", "field", "text"), [
    ({"seats": -3}, "seats", "Seats cannot be negative"),
    ({"term_months": 0}, "term_months", "whole number of months"),
    ({"currency": "EURO"}, "currency", "three-letter"),
    ({"unit_price": Decimal(-1)}, "unit_price", "at least 0"),
    ({"discount_percent": Decimal(120)}, "discount_percent", "at most 100"),
])
def test_bad_subscription_input_is_refused_with_a_specific_message(products, changes, field, text):
    fields = {"actor": SYSTEM, "account": AccountFactory(), "plan": products["growth"], "currency": "USD",
              "seats": 3, "start_date": D(2024, 1, 1), "term_months": 12, **changes}
    with pytest.raises(ValidationFailed) as refused:
        services.subscription_create(**fields)
    assert text in refused.value.errors[field][0]


def test_a_plan_not_in_the_catalog_and_an_add_on_as_plan_are_refused(products):
    for plan in (None, products["sso"]):
        with pytest.raises(ValidationFailed) as refused:
            services.subscription_create(actor=SYSTEM, account=AccountFactory(), plan=plan, currency="USD",
                                         seats=1, start_date=D(2024, 1, 1), term_months=12)
        assert refused.value.errors["plan"] == ["This plan is not in the catalog."]


def test_overlapping_subscriptions_for_the_same_account_and_plan_are_refused(products):
    account = AccountFactory()
    services.subscription_create(actor=SYSTEM, account=account, plan=products["growth"], currency="USD", seats=1,
                                 start_date=D(2024, 1, 1), term_months=12)
    with pytest.raises(ValidationFailed) as refused:
        services.subscription_create(actor=SYSTEM, account=account, plan=products["growth"], currency="USD",
                                     seats=1, start_date=D(2024, 6, 1), term_months=12)
    assert "overlaps" in refused.value.errors["start_date"][0] and "2024-12-31" in refused.value.message
    after = services.subscription_create(actor=SYSTEM, account=account, plan=products["growth"], currency="USD",
                                         seats=1, start_date=D(2025, 1, 1), term_months=12)
    assert after.pk


def test_a_change_dated_before_the_last_change_is_refused(products):
    subscription = services.subscription_create(actor=SYSTEM, account=AccountFactory(), plan=products["growth"],
                                                currency="USD", seats=1, start_date=D(2024, 1, 1), term_months=12)
    services.subscription_amend(actor=SYSTEM, subscription=subscription, effective_date=D(2024, 5, 1), seats=2)
    with pytest.raises(ValidationFailed) as refused:
        services.subscription_amend(actor=SYSTEM, subscription=subscription, effective_date=D(2024, 4, 1), seats=3)
    assert "on or after the last one (2024-05-01)" in refused.value.errors["effective_date"][0]


def test_a_csm_may_change_seats_but_not_prices_discounts_or_terms(products, am, csm):
    from tandem.core.testing.factories import assign

    account = AccountFactory(owner=am)
    assign(account, csm, "csm")
    subscription = services.subscription_create(actor=am, account=account, plan=products["growth"],
                                                currency="USD", seats=5, start_date=D(2024, 1, 1), term_months=12,
                                                unit_price=Decimal(48))
    services.subscription_amend(actor=csm, subscription=subscription, effective_date=D(2024, 2, 1), seats=6)
    for changes in ({"unit_price": Decimal(40)}, {"discount_percent": Decimal(5)}):
        with pytest.raises(PermissionDenied) as refused:
            services.subscription_amend(actor=csm, subscription=subscription, effective_date=D(2024, 3, 1),
                                        **changes)
        assert "pricing" in refused.value.message
    with pytest.raises(PermissionDenied):
        services.subscription_renew(actor=csm, subscription=subscription, effective_date=D(2024, 3, 1),
                                    term_months=12)
    services.subscription_amend(actor=am, subscription=subscription, effective_date=D(2024, 3, 1),
                                discount_percent=Decimal(5))


def test_a_csm_may_neither_change_the_plan_nor_cancel_the_contract(products, am, csm):
    """Another edition is another price, and ending a contract is a contract term: both are the AM's talk."""
    from tandem.core.testing.factories import assign

    account = AccountFactory(owner=am)
    assign(account, csm, "csm")
    subscription = services.subscription_create(actor=am, account=account, plan=products["growth"],
                                                currency="USD", seats=5, start_date=D(2024, 1, 1), term_months=12,
                                                unit_price=Decimal(48))
    with pytest.raises(PermissionDenied) as refused:
        services.subscription_amend(actor=csm, subscription=subscription, effective_date=D(2024, 3, 1),
                                    plan=products["premium"])
    assert "pricing" in refused.value.message and "plan" in refused.value.message
    with pytest.raises(PermissionDenied) as refused:
        services.subscription_churn(actor=csm, subscription=subscription, effective_date=D(2024, 3, 1),
                                    reason="Budget cut")
    assert "cancelling the contract" in refused.value.message
    subscription.refresh_from_db()
    assert (subscription.plan_id, subscription.status, subscription.changes.count()) == (
        products["growth"].pk, "active", 1)


def test_a_stale_version_is_a_conflict_and_nothing_is_written(products):
    subscription = services.subscription_create(actor=SYSTEM, account=AccountFactory(), plan=products["growth"],
                                                currency="USD", seats=1, start_date=D(2024, 1, 1), term_months=12)
    stale = selectors.subscription_get(actor=SYSTEM, public_id=subscription.public_id)
    services.subscription_amend(actor=SYSTEM, subscription=subscription, effective_date=D(2024, 2, 1), seats=2)
    assert subscription.version == 2
    with pytest.raises(Conflict):
        services.subscription_amend(actor=SYSTEM, subscription=stale, effective_date=D(2024, 3, 1), seats=9)
    with pytest.raises(Conflict):
        services.subscription_amend(actor=SYSTEM, subscription=subscription, effective_date=D(2024, 3, 1),
                                    seats=9, version=1)
    assert subscription.changes.count() == 2


def test_outsiders_do_not_see_subscriptions_or_their_mrr(products, am, outsider):
    account = AccountFactory(owner=am)
    subscription = services.subscription_create(actor=am, account=account, plan=products["growth"],
                                                currency="USD", seats=1, start_date=D(2024, 1, 1), term_months=12)
    assert selectors.subscription_list(actor=outsider).count() == 0
    with pytest.raises(NotFound):
        selectors.subscription_get(actor=outsider, public_id=subscription.public_id)
    with pytest.raises(NotFound):
        services.subscription_amend(actor=outsider, subscription=subscription, effective_date=D(2024, 2, 1),
                                    seats=2)
    assert selectors.mrr_total(actor=outsider, on=D(2024, 6, 1)).mrr == 0
    assert selectors.mrr_total(actor=am, on=D(2024, 6, 1)).mrr == Decimal(50)


def test_each_change_is_audited_and_put_on_the_account_timeline(products, am):
    from tandem.audit.models import AuditEntry

    account = AccountFactory(owner=am)
    subscription = services.subscription_create(actor=am, account=account, plan=products["growth"],
                                                currency="USD", seats=1, start_date=D(2024, 1, 1), term_months=12)
    services.subscription_amend(actor=am, subscription=subscription, effective_date=D(2024, 2, 1), seats=3)
    services.subscription_renew(actor=am, subscription=subscription, effective_date=D(2024, 12, 1), term_months=12)
    services.subscription_churn(actor=am, subscription=subscription, effective_date=D(2025, 6, 1), reason="Closed")
    events = list(Activity.objects.filter(account=account).order_by("id").values_list("payload__event", flat=True))
    assert [event for event in events if event.startswith("subscription")] == [
        "subscription_created", "subscription_amended", "subscription_renewed", "subscription_churned"]
    entries = list(AuditEntry.objects.filter(object_id=str(subscription.pk), content_type__model="subscription")
                   .order_by("id"))
    assert [entry.action for entry in entries] == ["create", "change", "change", "change"]
    assert entries[1].changes["seats"] == [1, 3] and entries[1].actor == am


def test_the_demo_revenue_builds_three_year_histories_with_every_movement():
    import time

    from tandem.demo.revenue import demo_revenue

    for index in range(25):
        AccountFactory(external_id=f"demo-{index:06d}", currency="EUR" if index % 3 == 0 else "USD",
                       tier=("high_touch", "mid_touch", "tech_touch")[index % 3],
                       lifecycle_stage="churned" if index % 4 == 0 else "adopting")
    began = time.perf_counter()
    assert demo_revenue(seed=3) == 25
    assert demo_revenue(seed=3) == 0
    elapsed = time.perf_counter() - began
    today = selectors.today()
    from tandem.contracts import logic

    movements = selectors.mrr_movements(actor=SYSTEM, start=logic.add_months(today, -36), end=today)
    totals = movements.totals
    assert totals["new"] > 0 and totals["expansion"] > 0 and totals["churn"] < 0 and totals["contraction"] < 0
    assert SubscriptionChange.objects.filter(kind="renewal").exists()
    assert elapsed < 60


def test_the_daily_roll_over_renews_auto_renewing_terms_once_per_term(products):
    subscription = services.subscription_create(actor=SYSTEM, account=AccountFactory(), plan=products["growth"],
                                                currency="USD", seats=2, start_date=D(2024, 1, 1), term_months=12)
    assert services.subscriptions_roll_over(actor=SYSTEM, on=D(2026, 2, 1)) == (2, 0)
    assert services.subscriptions_roll_over(actor=SYSTEM, on=D(2026, 2, 1)) == (0, 0)
    subscription.refresh_from_db()
    assert subscription.end_date == D(2026, 12, 31) and subscription.status == "active"
    assert list(subscription.changes.order_by("effective_date").values_list("kind", "movement")) == [
        ("created", "new"), ("renewal", ""), ("renewal", "")]
