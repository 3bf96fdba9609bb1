"""A CSM logs a call from the account page in Chromium and sees it on the timeline, newest first; scrolling
loads the older entries."""

from __future__ import annotations

import pytest

from tandem.contacts.models import Contact
from tandem.core.testing.factories import AccountFactory, assign
from tandem.timeline.models import Activity
from tandem.timeline.tests.factories import activity_make
from tests.e2e.test_login import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_csm_logs_a_call_from_the_account_page_and_sees_it_on_the_timeline(page, live_server, csm, password,
                                                                               shot):
    account = AccountFactory(name="Contoso")
    assign(account, csm, "csm")
    jane = Contact.objects.create(account=account, first_name="Jane", last_name="Doe")
    for index in range(25):
        activity_make(account=account, subject=f"Earlier note {index:02d}", type="note", minutes_ago=60 + index)
    login(page, live_server, csm.email, password)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/accounts/{account.public_id}/")
    page.click("#account-timeline summary")
    form = page.locator("#activity-log-form")
    form.locator("select[name=type]").select_option("call")
    form.locator("select[name=direction]").select_option("outbound")
    form.locator("input[name=subject]").fill("Renewal call with Jane")
    form.locator("textarea[name=body]").fill("Wants **20 more seats**. <script>alert(1)</script>")
    form.locator("select[name=contacts]").select_option(jane.public_id)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/accounts/{account.public_id}/#account-timeline")
    assert "Logged." in page.inner_text(".messages")
    first = page.locator("#timeline-feed > li.activity").first
    assert "Renewal call with Jane" in first.inner_text()
    assert "Jane Doe" in first.inner_text() and "Outbound" in first.inner_text()
    assert first.locator(".activity-body strong").inner_text() == "20 more seats"
    assert first.locator("script").count() == 0
    shot(page, "timeline-call-logged")

    assert page.locator("#timeline-feed > li.activity").count() == 20  # the first page
    page.locator(".timeline-more").scroll_into_view_if_needed()
    page.wait_for_function("document.querySelectorAll('#timeline-feed > li.activity').length === 26")
    assert "Earlier note 24" in page.locator("#timeline-feed > li.activity").last.inner_text()
    activity = Activity.objects.get(type="call")
    assert activity.created_by == csm and list(activity.contacts.all()) == [jane]
