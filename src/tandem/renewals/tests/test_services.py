"""Closing renewals (renewed with the multi-year discount, downgraded, churned with a reason), the settings,
and who may do what."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tandem.contracts.choices import ChangeKind, SubscriptionStatus
from tandem.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from tandem.renewals import engine, selectors, services
from tandem.renewals.choices import RenewalOutcome
from tandem.renewals.models import RenewalRecord
from tandem.renewals.tests.conftest import END, NOTICE_DAY
from tandem.timeline.models import Activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(subscription):
    engine.renewals_run(today=NOTICE_DAY)
    return RenewalRecord.objects.select_related("subscription", "opportunity").get()


def test_a_lost_renewal_needs_a_reason_and_nothing_changes_without_one(record, renewal):
    with pytest.raises(ValidationFailed) as error:
        services.renewal_close(actor=renewal, record=record, outcome="churned", reason="  ")
    assert "reason" in error.value.errors
    record.refresh_from_db()
    record.subscription.refresh_from_db()
    assert record.outcome == RenewalOutcome.OPEN and record.subscription.status == SubscriptionStatus.ACTIVE


def test_a_lost_renewal_churns_the_subscription_from_the_day_after_its_end(record, renewal):
    services.renewal_close(actor=renewal, record=record, outcome="churned", reason="Budget cut")
    record.refresh_from_db()
    subscription = record.subscription
    subscription.refresh_from_db()
    assert record.outcome == RenewalOutcome.CHURNED and record.reason == "Budget cut"
    assert record.opportunity.stage.kind == "lost" and record.opportunity.loss_reason == "Budget cut"
    assert subscription.status == SubscriptionStatus.CHURNED
    churn = subscription.changes.get(kind=ChangeKind.CHURN)
    assert churn.reason == "Budget cut" and churn.effective_date == END + datetime.timedelta(days=1)
    assert Activity.objects.filter(payload__event="renewal_churned", payload__reason="Budget cut").count() == 1


def test_a_three_year_renewal_renews_the_contract_with_the_15_percent_discount(record, renewal):
    services.renewal_close(actor=renewal, record=record, outcome="renewed", term_months=36)
    subscription = record.subscription
    subscription.refresh_from_db()
    assert subscription.term_months == 36 and subscription.end_date.year == 2029
    assert subscription.discount_percent == Decimal("15.00") and subscription.mrr == Decimal("850.00")
    assert RenewalRecord.objects.get().outcome == RenewalOutcome.RENEWED
    assert Activity.objects.filter(payload__event="renewal_renewed").count() == 1


def test_a_downgrade_renews_with_fewer_seats_and_records_why(record, renewal):
    with pytest.raises(ValidationFailed):
        services.renewal_close(actor=renewal, record=record, outcome="downgraded", seats=15)
    services.renewal_close(actor=renewal, record=record, outcome="downgraded", seats=15, reason="Smaller team")
    subscription = record.subscription
    subscription.refresh_from_db()
    assert subscription.seats == 15 and subscription.end_date > END
    stored = RenewalRecord.objects.get()
    assert (stored.outcome, stored.reason) == (RenewalOutcome.DOWNGRADED, "Smaller team")


def test_a_csm_cannot_close_a_renewal_and_an_outsider_cannot_see_it(record, csm, outsider):
    with pytest.raises(PermissionDenied):
        services.renewal_close(actor=csm, record=record, outcome="churned", reason="No")
    with pytest.raises(NotFound):
        selectors.renewal_get(actor=outsider, public_id=record.public_id)
    assert RenewalRecord.objects.get().outcome == RenewalOutcome.OPEN


def test_only_administrators_change_the_settings_and_bad_rules_are_refused(admin, manager):
    with pytest.raises(PermissionDenied):
        services.renewal_settings_update(actor=manager, notice_days=60)
    with pytest.raises(ValidationFailed) as error:
        services.renewal_settings_update(actor=admin, discount_rules=[{"min_term_months": 24,
                                                                       "discount_percent": "150"}])
    assert "discount_rules" in error.value.errors
    services.renewal_settings_update(actor=admin, notice_days=60, negotiation_days=20,
                                     discount_rules=[{"min_term_months": 24, "discount_percent": "12"}])
    config = selectors.renewal_config()
    assert (config.notice_days, config.negotiation_days) == (60, 20)
    assert config.discount_rules[0].discount_percent == Decimal("12.00")


def test_the_notice_window_follows_the_settings(admin, subscription):
    services.renewal_settings_update(actor=admin, notice_days=60, negotiation_days=30,
                                     playbook=[{"offset_days": -60, "title": "Call the sponsor"}])
    assert engine.renewals_run(today=NOTICE_DAY).created == 0
    result = engine.renewals_run(today=END - datetime.timedelta(days=60))
    assert result.created == 1
    assert list(subscription.account.tasks.values_list("title", flat=True)) == ["Call the sponsor"]
