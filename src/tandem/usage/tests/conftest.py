from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.utils import timezone

from tandem.core.testing.factories import AccountFactory
from tandem.core.testing.fixtures import bearer_for
from tandem.usage import services


@pytest.fixture(autouse=True)
def _fresh_account_cache():
    services.forget_cached_accounts()
    yield
    services.forget_cached_accounts()


@pytest.fixture
def accounts(db):
    return [AccountFactory(name=f"Usage {n}", external_id=f"ext-{n}") for n in range(3)]


@pytest.fixture
def events_token(admin) -> dict[str, str]:
    return bearer_for(admin, ["events:write"])


def make_event(account: Any, *, message_id: str | None = None, event: str = "report.exported", user: str = "u1",
               when: dt.datetime | None = None, **extra: Any) -> dict[str, Any]:
    moment = when or timezone.now() - dt.timedelta(hours=1)
    return {"message_id": message_id or uuid.uuid4().hex, "account": getattr(account, "public_id", account),
            "user": user, "event": event, "timestamp": moment.isoformat(), "properties": {"n": 1}, **extra}
