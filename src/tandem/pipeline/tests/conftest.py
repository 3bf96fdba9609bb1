from __future__ import annotations

import datetime

import pytest

from tandem.core.testing.factories import AccountFactory, UserFactory, assign
from tandem.identity.models import User


@pytest.fixture
def sdr(db) -> User:
    return UserFactory(email="sandy@example.test", full_name="Sandy SDR", roles=["sdr"])


@pytest.fixture
def ae(db) -> User:
    return UserFactory(email="eddie@example.test", full_name="Eddie AE", roles=["ae"])


@pytest.fixture
def renewal(db) -> User:
    return UserFactory(email="rita@example.test", full_name="Rita Renewal", roles=["renewal"])


@pytest.fixture
def customer(am, csm):
    """An account owned by Adam the AM with Carla as its CSM."""
    account = AccountFactory(name="Seoul Robotics", owner=am, currency="USD")
    assign(account, am, "am")
    assign(account, csm, "csm")
    return account


@pytest.fixture
def next_month() -> datetime.date:
    return datetime.date.today() + datetime.timedelta(days=30)
