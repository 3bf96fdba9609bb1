"""A follower sees the bell's count rise without reloading the page, opens the inbox and lands on the account."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tandem.accounts import services as account_services
from tandem.core.testing.factories import AccountFactory
from tandem.notifications.models import Notification

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(page, live_server, email, password):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_a_follower_sees_the_bell_count_rise_and_opens_the_inbox(page, live_server, am, admin, password,
                                                                    settings, shot):
    settings.NOTIFY_POLL_SECONDS = 1
    account = AccountFactory(owner=am, name="Hanbit Logistics", lifecycle_stage="onboarding")
    login(page, live_server, am.email, password)
    page.goto(f"{live_server.url}/accounts/{account.public_id}/")
    page.get_by_role("button", name="Follow").click()
    expect(page.get_by_role("button", name="Following")).to_be_visible()
    badge = page.locator("#notification-badge")
    expect(badge).to_have_attribute("data-count", "0")

    account_services.account_update(actor=admin, account=account, lifecycle_stage="adopting")  # someone else
    expect(badge).to_have_attribute("data-count", "1", timeout=10_000)  # no reload: htmx polled the badge
    expect(badge).to_be_visible()
    shot(page, "notifications-bell")

    page.get_by_role("link", name="Notifications").click()
    item = page.locator(".inbox-item.is-unread")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Hanbit Logistics")
    shot(page, "notifications-inbox")
    item.get_by_role("link").click()
    page.wait_for_url(f"{live_server.url}/accounts/{account.public_id}/")
    expect(page.locator("#notification-badge")).to_have_attribute("data-count", "0")
    assert not Notification.objects.filter(read_at__isnull=True).exists()
