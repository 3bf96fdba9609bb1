"""Deleting an account: allowed for one created by mistake, refused (service, page and API alike) for one with
revenue or pipeline history, which the deletion would otherwise cascade away and so rewrite past MRR and win
rates."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tandem.accounts import services
from tandem.accounts.models import Account
from tandem.audit.models import AuditEntry
from tandem.contracts import services as contract_services
from tandem.contracts.models import Subscription
from tandem.contracts.tests.helpers import D, catalog
from tandem.core.exceptions import Conflict
from tandem.core.testing.factories import AccountFactory
from tandem.core.testing.fixtures import bearer_for, logged_in
from tandem.pipeline import services as pipeline_services
from tandem.pipeline.models import Opportunity


@pytest.fixture
def customer(admin):
    account = AccountFactory(name="Seoul Robotics", currency="USD")
    contract_services.subscription_create(actor=admin, account=account, plan=catalog()["growth"], currency="USD",
                                          seats=10, start_date=D(2025, 1, 1), term_months=12)
    return account


def test_an_account_created_by_mistake_is_deleted_and_the_deletion_audited(admin):
    account = services.account_create(actor=admin, name="Typo GmbH")
    services.account_delete(actor=admin, account=account)
    assert not Account.objects.filter(pk=account.pk).exists()
    assert AuditEntry.objects.filter(object_id=str(account.pk), action="delete").exists()


def test_an_account_with_subscriptions_or_opportunities_is_refused_and_keeps_everything(admin, customer):
    with pytest.raises(Conflict) as refused:
        services.account_delete(actor=admin, account=customer)
    assert "1 subscription" in refused.value.message and "churned" in refused.value.message
    assert Subscription.objects.filter(account=customer).count() == 1
    assert not AuditEntry.objects.filter(object_id=str(customer.pk), action="delete").exists()

    prospect = AccountFactory(name="Busan Labs", currency="USD")
    pipeline_services.opportunity_create(actor=admin, account=prospect, type="new_business", name="First deal",
                                         close_date=datetime.date.today() + datetime.timedelta(days=30),
                                         mrr_delta=Decimal("100"))
    with pytest.raises(Conflict, match="1 opportunity"):
        services.account_delete(actor=admin, account=prospect)
    assert Opportunity.objects.filter(account=prospect).count() == 1


def test_the_page_explains_why_delete_is_unavailable_and_a_forced_post_changes_nothing(admin, customer):
    client = logged_in(admin)
    page = client.get(f"/accounts/{customer.public_id}/").content.decode()
    assert 'class="button button-danger" aria-disabled="true" disabled aria-describedby="delete-blocked"' in page
    reason = page[page.index('id="delete-blocked"'):]  # shown on the page, not only in a tooltip
    assert reason.index("Cannot be deleted: it has 1 subscription") < reason.index("</p>")
    response = client.post(f"/accounts/{customer.public_id}/delete/", follow=True)
    assert response.status_code == 200 and Account.objects.filter(pk=customer.pk).exists()
    assert "has history that deleting it would destroy (1 subscription)" in response.content.decode()

    empty = AccountFactory(name="Empty Co")
    empty_page = client.get(f"/accounts/{empty.public_id}/").content.decode()
    assert f'action="/accounts/{empty.public_id}/delete/"' in empty_page


def test_the_api_answers_409_problem_json_and_deletes_an_account_without_history(client, admin, customer):
    headers = bearer_for(admin, ["accounts:write"])
    refused = client.delete(f"/api/v1/accounts/{customer.public_id}", **headers)
    assert refused.status_code == 409 and refused["Content-Type"].startswith("application/problem+json")
    assert "1 subscription" in refused.json()["detail"] and Account.objects.filter(pk=customer.pk).exists()
    empty = AccountFactory(name="Empty Co")
    assert client.delete(f"/api/v1/accounts/{empty.public_id}", **headers).status_code == 204
    assert not Account.objects.filter(pk=empty.pk).exists()
