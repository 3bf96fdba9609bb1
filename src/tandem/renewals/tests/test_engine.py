"""The renewal engine on a controlled clock: notice at 90 days, one opportunity per end date, the playbook,
the AM early-renewal rule, negotiation at 30 days and outcomes recorded from the pipeline."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tandem.access.decide import SYSTEM
from tandem.contracts import services as contract_services
from tandem.contracts.choices import SubscriptionStatus
from tandem.core.testing.factories import AccountFactory, assign
from tandem.notifications.models import Notification
from tandem.pipeline import services as pipeline_services
from tandem.pipeline.models import Opportunity, Stage
from tandem.renewals import engine
from tandem.renewals.choices import AssignmentBasis, RenewalOutcome
from tandem.renewals.models import RenewalRecord
from tandem.renewals.tests.conftest import END, NOTICE_DAY, START
from tandem.scheduling.models import Task
from tandem.timeline.models import Activity

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def test_nothing_happens_91_days_before_the_end(subscription):
    result = engine.renewals_run(today=NOTICE_DAY - DAY)
    assert result.records == 0 and not Opportunity.objects.exists() and not RenewalRecord.objects.exists()


def test_90_days_before_the_end_one_renewal_opportunity_goes_to_the_renewal_specialist(subscription, renewal):
    result = engine.renewals_run(today=NOTICE_DAY)
    assert (result.created, result.skipped, result.linked) == (1, 0, 0)
    opportunity = Opportunity.objects.get()
    assert opportunity.type == "renewal" and opportunity.subscription == subscription
    assert opportunity.owner == renewal and opportunity.stage.code == "upcoming"
    assert opportunity.mrr_delta == Decimal("1000.00") and opportunity.close_date == END
    record = RenewalRecord.objects.get()
    assert record.assignment_basis == AssignmentBasis.RENEWAL and record.outcome == RenewalOutcome.OPEN
    tasks = list(Task.objects.filter(assignee=renewal).order_by("due_at"))
    assert [task.title for task in tasks] == ["Review usage and health",
                                              "Confirm the decision maker and the renewal date",
                                              "Prepare renewal quote", "Start the price negotiation"]
    assert [task.due_date for task in tasks] == [END - 90 * DAY, END - 60 * DAY, END - 45 * DAY, END - 30 * DAY]
    assert all(task.related == opportunity and task.account == subscription.account for task in tasks)
    notification = Notification.objects.get(recipient=renewal)
    assert notification.kind == "renewal_assigned" and "Seoul Robotics" in notification.title
    assert Activity.objects.filter(account=subscription.account,
                                   payload__event="renewal_opportunity_created").count() == 1


def test_a_second_run_creates_nothing_new(subscription):
    engine.renewals_run(today=NOTICE_DAY)
    counts = (Opportunity.objects.count(), Task.objects.count(), Notification.objects.count(),
              Activity.objects.count(), RenewalRecord.objects.count())
    again = engine.renewals_run(today=NOTICE_DAY)
    later = engine.renewals_run(today=NOTICE_DAY + 5 * DAY)
    assert again.records == later.records == 0
    assert counts == (Opportunity.objects.count(), Task.objects.count(), Notification.objects.count(),
                      Activity.objects.count(), RenewalRecord.objects.count()) == (1, 4, 1, counts[3], 1)


def test_without_a_renewal_specialist_the_am_gets_it_and_is_told_why(am, products):
    account = AccountFactory(name="Busan Foods", owner=None, currency="USD")
    assign(account, am, "am")
    contract_services.subscription_create(actor=SYSTEM, account=account, plan=products["package"], currency="USD",
                                          seats=1, start_date=START, term_months=12)
    engine.renewals_run(today=NOTICE_DAY)
    assert Opportunity.objects.get().owner == am
    assert RenewalRecord.objects.get().assignment_basis == AssignmentBasis.AM
    assert "no renewal specialist" in Notification.objects.get(recipient=am).body


def test_an_early_renewal_by_the_am_means_no_opportunity_and_nobody_contacted(subscription, renewal, am):
    contract_services.subscription_amend(actor=am, subscription=subscription, effective_date=NOTICE_DAY - 5 * DAY,
                                         seats=25)
    result = engine.renewals_run(today=NOTICE_DAY)
    assert (result.created, result.skipped) == (0, 1)
    assert not Opportunity.objects.exists() and not Task.objects.exists()
    assert not Notification.objects.filter(recipient=renewal).exists()
    assert RenewalRecord.objects.get().outcome == RenewalOutcome.SKIPPED


def test_a_contract_renewed_beyond_the_window_is_left_alone(subscription, am):
    contract_services.subscription_renew(actor=am, subscription=subscription, effective_date=START + 200 * DAY,
                                         term_months=12)
    assert engine.renewals_run(today=NOTICE_DAY).records == 0
    assert not Opportunity.objects.exists()


def test_an_open_renewal_opportunity_is_used_instead_of_a_second_one(subscription, am):
    existing = pipeline_services.opportunity_create(actor=am, account=subscription.account, type="renewal",
                                                    name="Early talk", close_date=END, subscription=subscription)
    result = engine.renewals_run(today=NOTICE_DAY)
    assert (result.created, result.linked) == (0, 1)
    assert list(Opportunity.objects.all()) == [existing]
    assert RenewalRecord.objects.get().opportunity == existing


def test_negotiation_opens_30_days_before_the_end(subscription, renewal):
    engine.renewals_run(today=NOTICE_DAY)
    assert engine.renewals_run(today=END - 31 * DAY).negotiations == 0
    result = engine.renewals_run(today=END - 30 * DAY)
    assert result.negotiations == 1
    opportunity = Opportunity.objects.get()
    assert opportunity.stage.code == "negotiation"
    assert RenewalRecord.objects.get().negotiation_opened_at is not None
    assert Notification.objects.filter(recipient=renewal, kind="renewal_negotiation").count() == 1
    assert Activity.objects.filter(payload__event="renewal_negotiation_opened").count() == 1
    assert engine.renewals_run(today=END - 29 * DAY).negotiations == 0


def test_a_contract_first_seen_inside_30_days_starts_in_negotiation(subscription):
    result = engine.renewals_run(today=END - 10 * DAY)
    assert (result.created, result.negotiations) == (1, 1)
    assert Opportunity.objects.get().stage.code == "negotiation"


def test_a_renewal_lost_on_the_board_churns_the_subscription_at_once_and_the_next_run_does_nothing(subscription,
                                                                                                    renewal):
    engine.renewals_run(today=NOTICE_DAY)
    opportunity = Opportunity.objects.get()
    lost = Stage.objects.get(pipeline__opportunity_type="renewal", kind="lost")
    pipeline_services.opportunity_move(actor=renewal, opportunity=opportunity, stage=lost, version=opportunity.version,
                                       loss_reason="Moved to a competitor")
    record = RenewalRecord.objects.get()
    assert record.outcome == RenewalOutcome.CHURNED and record.reason == "Moved to a competitor"
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.CHURNED and subscription.ended_on == END + DAY
    assert subscription.changes.filter(kind="churn", reason="Moved to a competitor").count() == 1
    assert Activity.objects.filter(payload__event="renewal_churned").count() == 1
    counts = (Activity.objects.count(), subscription.changes.count())
    assert engine.renewals_run(today=NOTICE_DAY + DAY).closed == 0
    assert (Activity.objects.count(), subscription.changes.count()) == counts


def test_a_renewal_won_on_the_board_is_recorded_as_renewed_at_once_and_the_next_run_does_nothing(subscription,
                                                                                                  renewal):
    engine.renewals_run(today=NOTICE_DAY)
    opportunity = Opportunity.objects.get()
    won = Stage.objects.get(pipeline__opportunity_type="renewal", kind="won")
    pipeline_services.opportunity_move(actor=renewal, opportunity=opportunity, stage=won, version=opportunity.version)
    record = RenewalRecord.objects.get()
    assert record.outcome == RenewalOutcome.RENEWED and record.closed_at is not None
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE and subscription.end_date > END  # renewed by the win
    assert Activity.objects.filter(payload__event="renewal_renewed").count() == 1
    assert engine.renewals_run(today=NOTICE_DAY + DAY).closed == 0
    assert Activity.objects.filter(payload__event="renewal_renewed").count() == 1


def test_a_renewal_won_on_the_board_with_fewer_seats_is_recorded_as_downgraded(subscription, renewal):
    engine.renewals_run(today=NOTICE_DAY)
    opportunity = Opportunity.objects.get()
    won = Stage.objects.get(pipeline__opportunity_type="renewal", kind="won")
    pipeline_services.opportunity_update(actor=renewal, opportunity=opportunity, version=opportunity.version,
                                         stage=won, seats_delta=-1)
    record = RenewalRecord.objects.get()
    assert (record.outcome, record.reason) == (RenewalOutcome.DOWNGRADED, "Renewed with 1 fewer seat.")
    subscription.refresh_from_db()
    assert subscription.seats == 19  # the fixture's 20 seats, one fewer from the renewal


def test_closing_a_renewal_as_churned_on_the_renewal_page_churns_once(subscription, renewal):
    from tandem.renewals import services

    engine.renewals_run(today=NOTICE_DAY)
    record = services.renewal_close(actor=renewal, record=RenewalRecord.objects.get(), outcome="churned",
                                    reason="Budget cut")
    assert record.outcome == RenewalOutcome.CHURNED and record.reason == "Budget cut"
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.CHURNED
    assert subscription.changes.filter(kind="churn").count() == 1
    assert Activity.objects.filter(payload__event="renewal_churned").count() == 1


def _contracts(products, renewal, count, *, first):
    for index in range(first, first + count):
        account = AccountFactory(name=f"Query count {index}", currency="USD")
        assign(account, renewal, "renewal")
        contract_services.subscription_create(actor=SYSTEM, account=account, plan=products["growth"],
                                              currency="USD", seats=5, start_date=START + index * DAY,
                                              term_months=12)


def _queries_of_a_first_run(today):
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ContentType.objects.clear_cache()  # each run starts as a fresh process would
    with CaptureQueriesContext(connection) as captured:
        result = engine.renewals_run(today=today)
    return result, len(captured.captured_queries)


# Statements of a first run that creates renewals for one person. On PostgreSQL each table's rows are one COPY
# whatever their number (not counted here: COPY does not go through the cursor's execute); SQLite splits its
# multi-row INSERTs at its parameter limit (~45 tasks), so the sizes below stay under it.
FIRST_RUN_QUERIES = {"postgresql": 31, "sqlite": 31}


def test_a_run_takes_the_same_number_of_queries_for_3_or_9_contracts(products, renewal):
    from django.db import connection

    _contracts(products, renewal, 3, first=0)
    small, small_queries = _queries_of_a_first_run(END - 10 * DAY)
    assert small.created == 3
    _contracts(products, renewal, 9, first=100)
    large, large_queries = _queries_of_a_first_run(END + 95 * DAY)
    assert large.created == 9
    assert (small_queries, large_queries) == (FIRST_RUN_QUERIES[connection.vendor],) * 2
    assert Notification.objects.filter(recipient=renewal, kind="renewal_assigned").count() == 2
    assert Task.objects.filter(assignee=renewal).count() == 12 * 4
