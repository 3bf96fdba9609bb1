"""A CSM opens an account in Chromium and reads its health: the score history chart, the explanation of the score
and of its change since the day before, then recomputes it with the button."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tandem.core.testing.factories import AccountFactory, UserFactory, assign
from tandem.health import recompute
from tandem.health.tests.conftest import subscribe, usage
from tests.e2e.test_login import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_csm_sees_the_score_history_chart_and_its_explanation_on_account_360(page, live_server, password, shot):
    csm = UserFactory(email="carla@example.test", full_name="Carla CSM", roles=["csm"])
    account = AccountFactory(name="Northwind", owner=csm)
    assign(account, csm, "csm")
    subscribe(account)
    today = timezone.now().astimezone(datetime.UTC).date()
    usage(account, days=50, end=today - datetime.timedelta(days=15))
    for offset in range(10, -1, -1):  # ten days of history: usage stopped two weeks ago, the score falls
        moment = datetime.datetime.combine(today - datetime.timedelta(days=offset), datetime.time(3),
                                           tzinfo=datetime.UTC)
        recompute.health_recompute(account_ids=[account.pk], now=min(moment, timezone.now()))

    login(page, live_server, csm.email, password)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/accounts/{account.public_id}/")
    chart = page.locator("[data-testid=health-chart] svg")
    assert chart.is_visible()
    assert chart.locator("circle").count() == 11
    assert chart.get_attribute("aria-label") == "Health score history"
    explanation = page.locator("[data-testid=health-explanation]")
    assert explanation.is_visible()
    text = explanation.inner_text()
    for label in ("Usage frequency", "Usage trend", "Support-ticket load", "NPS / CSAT"):
        assert label in text
    assert "skipped: surveys are not available yet" in text
    change = page.locator("[data-testid=health-change]").inner_text()
    assert "points since" in change
    assert page.locator(".health-moves li").count() >= 1
    shot(page, "health-account-360")

    page.get_by_role("button", name="Recompute").click()
    page.wait_for_url(f"{live_server.url}/accounts/{account.public_id}/#health")
    assert "Health score recomputed." in page.content()
