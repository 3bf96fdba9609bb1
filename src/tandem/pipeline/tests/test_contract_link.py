"""Winning a deal changes the contract through the contracts services."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tandem.access.decide import SYSTEM
from tandem.contracts import services as contract_services
from tandem.contracts.choices import ChangeKind
from tandem.contracts.models import SubscriptionChange
from tandem.contracts.tests.helpers import catalog
from tandem.core.exceptions import PermissionDenied
from tandem.pipeline import selectors, services
from tandem.pipeline.models import Opportunity, Stage


def won(type_code: str) -> Stage:
    return Stage.objects.get(pipeline__opportunity_type=type_code, kind="won")


@pytest.fixture
def products(db):
    return catalog()


@pytest.fixture
def subscription(products, customer):
    return contract_services.subscription_create(actor=SYSTEM, account=customer, plan=products["growth"],
                                                 currency="USD", seats=20, start_date=datetime.date(2025, 1, 1),
                                                 term_months=12)


def test_winning_an_expansion_amends_the_linked_subscription(am, customer, subscription, next_month):
    opportunity = services.opportunity_create(actor=am, account=customer, type="expansion", name="10 more seats",
                                              close_date=next_month, mrr_delta=Decimal("500"),
                                              subscription=subscription, seats_delta=10, add_ons=["sso"])
    assert selectors.open_opportunity_for_subscription(subscription=subscription, type="expansion") == opportunity
    services.opportunity_move(actor=am, opportunity=opportunity, stage=won("expansion"), version=1)
    subscription.refresh_from_db()
    assert subscription.seats == 30 and [line.product.code for line in subscription.add_ons.all()] == ["sso"]
    change = SubscriptionChange.objects.filter(subscription=subscription).order_by("-id").first()
    assert change.opportunity_ref == opportunity.public_id and change.mrr_delta == Decimal("700.00")
    assert selectors.open_opportunity_for_subscription(subscription=subscription, type="expansion") is None


def test_winning_a_renewal_renews_for_the_term(renewal, customer, subscription, next_month):
    from tandem.core.testing.factories import assign

    assign(customer, renewal, "renewal")
    opportunity = services.opportunity_create(actor=renewal, account=customer, type="renewal", name="Renewal 2026",
                                              close_date=next_month, subscription=subscription,
                                              renewal_term_months=24)
    services.opportunity_move(actor=renewal, opportunity=opportunity, stage=won("renewal"), version=1)
    subscription.refresh_from_db()
    assert subscription.end_date == datetime.date(2027, 12, 31)
    assert SubscriptionChange.objects.filter(subscription=subscription, kind=ChangeKind.RENEWAL).exists()


def test_a_refused_amendment_refuses_the_win(csm, am, customer, subscription, next_month):
    opportunity = services.opportunity_create(actor=am, account=customer, type="renewal", name="Renewal",
                                              close_date=next_month, subscription=subscription)
    with pytest.raises(PermissionDenied):  # renewing sets the contract term: the pricing group, not the CSM's
        services.opportunity_move(actor=csm, opportunity=opportunity, stage=won("renewal"), version=1)
    assert Opportunity.objects.get(pk=opportunity.pk).stage.kind == "open"
    subscription.refresh_from_db()
    assert subscription.end_date == datetime.date(2025, 12, 31)


def test_winning_new_business_with_a_plan_and_seats_starts_a_subscription(am, customer, products, next_month):
    opportunity = services.opportunity_create(actor=am, account=customer, type="new_business", name="First deal",
                                              close_date=next_month, target_plan=products["package"], seats_delta=1)
    moved = services.opportunity_move(actor=am, opportunity=opportunity, stage=won("new_business"), version=1)
    assert moved.subscription is not None and moved.subscription.plan == products["package"]
    assert Opportunity.objects.get(pk=opportunity.pk).subscription_id == moved.subscription.pk
