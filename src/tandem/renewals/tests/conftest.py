from __future__ import annotations

import datetime

import pytest

from tandem.access.decide import SYSTEM
from tandem.contracts import services as contract_services
from tandem.contracts.tests.helpers import catalog
from tandem.core.testing.factories import AccountFactory, UserFactory, assign
from tandem.identity.models import User

D = datetime.date
START = D(2025, 4, 1)  # a 12-month term ends 2026-03-31; 90 days before is 2025-12-31
END = D(2026, 3, 31)
NOTICE_DAY = D(2025, 12, 31)


@pytest.fixture
def renewal(db) -> User:
    return UserFactory(email="rita@example.test", full_name="Rita Renewal", roles=["renewal"])


@pytest.fixture
def products(db):
    return catalog()


@pytest.fixture
def customer(am, csm, renewal):
    """Seoul Robotics: owned by Adam the AM, Carla its CSM, Rita its renewal specialist."""
    account = AccountFactory(name="Seoul Robotics", owner=am, currency="USD")
    assign(account, am, "am")
    assign(account, csm, "csm")
    assign(account, renewal, "renewal")
    return account


@pytest.fixture
def subscription(customer, products):
    return contract_services.subscription_create(actor=SYSTEM, account=customer, plan=products["growth"],
                                                 currency="USD", seats=20, start_date=START, term_months=12)
