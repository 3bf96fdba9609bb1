"""`tandem import subscriptions`: subscriptions with dated history rows, through the services; bad rows are
reported by line and column and the rest is imported."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from tandem.access.decide import SYSTEM
from tandem.contracts import selectors
from tandem.contracts.models import Subscription
from tandem.contracts.tests.helpers import D, catalog
from tandem.core.testing.factories import AccountFactory
from tandem.transfer import services as transfer_services
from tandem.transfer.models import ImportMode

pytestmark = pytest.mark.django_db


def _import(actor, text):
    upload = ContentFile(text.encode(), name="subscriptions.csv")
    job = transfer_services.import_job_create(actor=actor, kind="subscriptions", upload=upload)
    transfer_services.import_job_configure(actor=actor, job=job, mapping=job.mapping, mode=ImportMode.VALID_ROWS,
                                           remember=False)
    job.refresh_from_db()
    transfer_services.import_job_validate(actor=actor, job=job)
    job.refresh_from_db()
    problems = sorted((error.line, error.column, error.message) for error in job.row_errors.all())
    transfer_services.import_job_start(actor=actor, job=job)
    job.refresh_from_db()
    transfer_services.import_job_run(actor=actor, job=job)
    job.refresh_from_db()
    return job, problems


def test_a_subscription_file_with_history_rebuilds_past_mrr_and_reports_bad_rows(am):
    catalog()
    AccountFactory(external_id="acme", owner=am)
    AccountFactory(external_id="globex", owner=am)
    job, problems = _import(am, "\n".join([
        "subscription key,account id,plan,currency,seats,start,end,change,effective date,reason",
        "S-1,acme,growth,USD,10,2023-01-01,2023-12-31,,,",
        "S-1,,,,20,,,seat_change,2023-06-01,Team grew",
        "S-1,,,,,,,renewal,2024-01-01,",
        "S-1,,,,,,,churn,2024-09-01,Budget",
        "S-2,globex,growth,GBP,5,2023-01-01,,,,",
        "S-3,globex,nosuchplan,USD,5,2023-01-01,,,,",
        "S-4,globex,growth,USD,-2,2023-05-01,2023-01-01,,,",
        "S-9,,,,3,,,seat_change,2023-06-01,",
    ]))
    columns = {(line, column) for line, column, _message in problems}
    assert (6, "currency") in columns and (7, "plan") in columns
    assert (8, "seats") in columns and (8, "end") in columns and (9, "subscription key") in columns
    assert (job.created_count, job.updated_count) == (1, 3)
    subscription = Subscription.objects.get(external_id="S-1")
    assert subscription.status == "churned"
    account = subscription.account
    assert selectors.account_mrr(actor=SYSTEM, account=account, on=D(2023, 3, 1)).mrr == Decimal(500)
    assert selectors.account_mrr(actor=SYSTEM, account=account, on=D(2023, 7, 1)).mrr == Decimal(1000)
    assert selectors.account_mrr(actor=SYSTEM, account=account, on=D(2024, 9, 1)).mrr == 0
    assert subscription.end_date == D(2024, 12, 31)


def test_a_csm_may_import_seat_changes_but_not_prices_or_new_subscriptions(csm, am):
    from tandem.contracts import services
    from tandem.core.testing.factories import assign

    products = catalog()
    account = AccountFactory(external_id="acme", owner=am)
    assign(account, csm, "csm")
    services.subscription_create(actor=am, account=account, plan=products["growth"], currency="USD", seats=10,
                                 start_date=D(2024, 1, 1), term_months=12, external_id="S-1")
    job, problems = _import(csm, "\n".join([
        "subscription key,account id,plan,seats,unit price,start,change,effective date",
        "S-1,,,12,,,seat_change,2024-02-01",
        "S-1,,,,40,,price_change,2024-03-01",
        "S-2,acme,growth,5,,2024-01-01,,",
    ]))
    assert (3, "") not in {(line, column) for line, column, _message in problems}
    assert any(line == 4 and "create" in message for line, _column, message in problems)
    assert job.updated_count == 1
    rejected = [error.message for error in job.row_errors.filter(line=3)]
    assert rejected and "pricing" in rejected[0]
    assert Subscription.objects.get(external_id="S-1").seats == 12
