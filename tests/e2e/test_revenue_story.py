"""Issue 5's "Done when" as one story in Chromium, every step by a real user signed in with their own session: an
SDR creates a lead from the form, logs a call and qualifies it for an AE; the AE staffs the account, gives the
new-business deal a plan and seats and drags it to Won on the board, which creates the subscription; the AM adds
seats (a dated amendment with the new MRR); the account's CSM may not touch the price — the field is read-only and a
price sent anyway, through the page's form or the API, is refused naming the “pricing” field group; then the test
moves the clock to 90 days before the end date, runs the renewal engine, and the renewal specialist finds the renewal
opportunity (theirs, with the playbook's tasks) on the renewals list and on their home page. The account's timeline
tells the whole story."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tandem.contracts.logic import add_months
from tandem.contracts.models import Subscription, SubscriptionChange
from tandem.contracts.tests.helpers import catalog
from tandem.core.testing.factories import UserFactory
from tandem.pipeline.models import Lead, LeadCall, Opportunity
from tandem.renewals.engine import renewals_run
from tandem.renewals.models import RenewalRecord
from tandem.scheduling.models import Task
from tandem.timeline.models import Activity
from tests.e2e.test_login import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def signed_in(browser, live_server, user, password):
    """A browser context of its own (its own session cookie) with ``user`` signed in through the login page."""
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-US")
    page = context.new_page()
    login(page, live_server, user.email, password)
    page.wait_for_url(f"{live_server.url}/")
    return context, page


def set_clock(monkeypatch, day: datetime.date) -> None:
    """Move the server's clock (the live server runs in this process) to ``day``, same time of day."""
    real_now = timezone.now
    shift = day - timezone.localdate()
    monkeypatch.setattr(timezone, "now", lambda: real_now() + shift)


def test_a_lead_becomes_a_customer_whose_contract_is_expanded_protected_and_renewed(
        page, browser, live_server, password, am, csm, monkeypatch, shot):
    sdr = UserFactory(email="sam@example.test", full_name="Sam SDR", roles=["sdr"])
    ae = UserFactory(email="alex@example.test", full_name="Alex AE", roles=["ae"])
    renewal = UserFactory(email="rita@example.test", full_name="Rita Renewal", roles=["renewal"])
    catalog()  # Growth: 50 USD per seat per month in the default price book
    today = timezone.localdate()

    # 1. the SDR creates the lead from the form, logs a call and qualifies it for the AE ----------------------
    login(page, live_server, sdr.email, password)
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name="Leads").first.click()
    page.get_by_role("link", name="New lead").click()
    page.fill("input[name=company_name]", "Jeju Ferries")
    page.fill("input[name=domain]", "jeju-ferries.kr")
    page.fill("input[name=country]", "KR")
    page.fill("input[name=contact_first_name]", "Ye-jin")
    page.fill("input[name=contact_last_name]", "Ko")
    page.fill("input[name=contact_email]", "yejin@jeju-ferries.kr")
    page.fill("input[name=trial_started_on]", (today - datetime.timedelta(days=10)).isoformat())
    page.fill("input[name=trial_ends_on]", (today + datetime.timedelta(days=4)).isoformat())
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/leads/*/")
    expect(page.locator(".messages")).to_contain_text("Lead created.")
    lead = Lead.objects.get(company_name="Jeju Ferries")
    assert lead.owner == sdr and lead.source == "trial" and lead.status == "new"

    page.select_option("select[name=outcome]", "connected")
    page.fill("textarea[name=notes]", "Trial going well; 20 people use it daily.")
    page.get_by_role("button", name="Log call").click()
    page.wait_for_url(f"{live_server.url}/leads/{lead.public_id}/")
    expect(page.locator(".messages")).to_contain_text("Call logged.")
    expect(page.locator("h1")).to_contain_text("Working")
    expect(page.locator("#lead-calls")).to_contain_text("1")
    assert LeadCall.objects.get(lead=lead).caller == sdr

    page.select_option("select[name=ae]", ae.email)
    page.fill("input[name=mrr_delta]", "1000")
    page.fill("input[name=close_date]", today.isoformat())
    page.fill("textarea[name=note]", "20 seats of Growth; they want to start this month.")
    shot(page, "revenue-1-lead-before-qualify")
    page.get_by_role("button", name="Qualify lead", exact=True).click()
    page.wait_for_url(f"{live_server.url}/pipeline/opportunities/*/")
    expect(page.locator(".messages")).to_contain_text("Lead qualified: the opportunity is with Alex AE.")
    lead.refresh_from_db()
    account = lead.account
    opportunity = Opportunity.objects.get(pk=lead.opportunity_id)
    assert lead.status == "qualified" and account.name == "Jeju Ferries" and account.owner == ae
    assert opportunity.owner == ae and opportunity.type == "new_business" and opportunity.mrr_delta == 1000

    # 2. the AE staffs the account, gives the deal its plan and seats, and drags it to Won ----------------------
    ae_context, ae_page = signed_in(browser, live_server, ae, password)
    try:
        ae_page.locator("#home-closing").get_by_role("link", name=opportunity.name).click()
        ae_page.wait_for_url(f"{live_server.url}/pipeline/opportunities/{opportunity.public_id}/")
        ae_page.get_by_role("link", name="Jeju Ferries").click()
        ae_page.wait_for_url(f"{live_server.url}/accounts/{account.public_id}/")
        team = ae_page.locator("form[action$='/team/']")
        team.locator("select[name=seat-am]").select_option(label=str(am))
        team.locator("select[name=seat-csm]").select_option(label=str(csm))
        team.locator("select[name=seat-renewal]").select_option(label=str(renewal))
        team.get_by_role("button", name="Save team").click()
        expect(ae_page.locator(".messages")).to_contain_text("Account team saved.")

        ae_page.get_by_role("link", name=opportunity.name).first.click()  # the account's Opportunities section
        ae_page.wait_for_url(f"{live_server.url}/pipeline/opportunities/{opportunity.public_id}/")
        ae_page.locator(".page-head").get_by_role("link", name="Edit").click()
        ae_page.wait_for_url(f"{live_server.url}/pipeline/opportunities/{opportunity.public_id}/edit/")
        ae_page.select_option("select[name=target_plan]", "growth")
        ae_page.fill("input[name=seats_delta]", "20")
        ae_page.get_by_role("button", name="Save").click()
        ae_page.wait_for_url(f"{live_server.url}/pipeline/opportunities/{opportunity.public_id}/")
        expect(ae_page.locator(".messages")).to_contain_text("Opportunity saved.")

        ae_page.get_by_role("link", name="Pipeline").first.click()
        ae_page.wait_for_url(f"{live_server.url}/pipeline/**")
        shot(ae_page, "revenue-2-board-before")
        card = ae_page.locator(f"article[data-opportunity='{opportunity.public_id}']")
        won_column = ae_page.locator("section.board-column[data-kind='won']")
        for column in ("won", "lost"):  # the seven columns fit a 1,360 px screen
            expect(ae_page.locator(f"section.board-column[data-kind='{column}']")).to_be_in_viewport(ratio=1)
        with ae_page.expect_response(lambda response: "/move/" in response.url, timeout=8000) as moved:
            card.drag_to(won_column, source_position={"x": 4, "y": 4})  # grab the card, not its select
        assert moved.value.status == 200
        expect(won_column.locator(f"article[data-opportunity='{opportunity.public_id}']")).to_be_visible()
        shot(ae_page, "revenue-2-board-won")
    finally:
        ae_context.close()
    opportunity.refresh_from_db()
    assert opportunity.stage.kind == "won" and opportunity.closed_on == today
    subscription = Subscription.objects.get(account=account)
    assert opportunity.subscription_id == subscription.pk
    assert (subscription.plan.code, subscription.seats, subscription.currency) == ("growth", 20, "USD")
    assert subscription.mrr == Decimal("1000.00") and subscription.start_date == today
    end = subscription.end_date
    assert end == add_months(today, 12) - datetime.timedelta(days=1)  # a 12-month term

    # 3. the AM adds five seats: a dated amendment, the history row and the new MRR ------------------------------
    am_context, am_page = signed_in(browser, live_server, am, password)
    try:
        am_page.goto(f"{live_server.url}/accounts/{account.public_id}/")
        section = am_page.locator("#subscriptions")
        expect(section).to_contain_text("1,000.00 USD")
        expect(section.locator("tbody tr")).to_have_count(1)
        expect(section.locator("tbody tr")).to_contain_text("20")
        section.get_by_role("link", name="Growth").click()
        am_page.wait_for_url(f"{live_server.url}/revenue/subscriptions/{subscription.public_id}/")
        expect(am_page.get_by_test_id("seats")).to_have_text("20")
        expect(am_page.get_by_test_id("mrr")).to_have_text("1,000.00 USD")
        amend = am_page.locator("form[action$='/amend/']")
        expect(amend.locator("input[name=unit_price]")).to_be_editable()  # the AM writes the pricing group
        amend.locator("input[name=seats]").fill("25")
        amend.locator("input[name=reason]").fill("Five more dispatchers")
        amend.get_by_role("button", name="Save change").click()
        am_page.wait_for_url(f"{live_server.url}/revenue/subscriptions/{subscription.public_id}/")
        expect(am_page.locator(".messages")).to_contain_text("Subscription changed.")
        expect(am_page.get_by_test_id("seats")).to_have_text("25")
        expect(am_page.get_by_test_id("mrr")).to_have_text("1,250.00 USD")
        history = am_page.locator("section[aria-labelledby=history-heading] tbody tr")
        expect(history).to_have_count(2)
        expect(history.first).to_contain_text("Seat change")
        expect(history.first).to_contain_text("1,250.00 USD")
        expect(history.first).to_contain_text("Five more dispatchers")
        expect(history.first).to_contain_text("Adam AM")
        shot(am_page, "revenue-3-am-amended")
    finally:
        am_context.close()
    subscription.refresh_from_db()
    assert (subscription.seats, subscription.mrr) == (25, Decimal("1250.00"))
    changes = list(SubscriptionChange.objects.filter(subscription=subscription).order_by("id"))
    assert [(change.kind, change.mrr) for change in changes] == [("created", Decimal("1000.00")),
                                                                 ("seat_change", Decimal("1250.00"))]
    assert changes[1].mrr_delta == Decimal("250.00") and changes[1].effective_date == today

    # 4. the CSM opens the same subscription: the price is read-only, and sending one anyway is refused ---------
    before = Subscription.objects.values().get(pk=subscription.pk)
    csm_context, csm_page = signed_in(browser, live_server, csm, password)
    try:
        csm_page.goto(f"{live_server.url}/revenue/subscriptions/{subscription.public_id}/")
        expect(csm_page.get_by_test_id("unit-price")).to_have_text("50.00 USD")  # she reads it …
        amend = csm_page.locator("form[action$='/amend/']")
        price = amend.locator("input[name=unit_price]")
        expect(price).to_be_disabled()  # … but may not change it
        expect(amend.locator("input[name=discount_percent]")).to_be_disabled()
        expect(amend).to_contain_text("Pricing field group")
        shot(csm_page, "revenue-4-csm-read-only-price")

        # the page's own form, with the lock taken off by hand (what a determined user could do)
        price.evaluate("input => { input.disabled = false; input.value = '10.00'; }")
        with csm_page.expect_response(lambda response: response.url.endswith("/amend/")) as posted:
            amend.get_by_role("button", name="Save change").click()
        assert posted.value.status == 403
        amend = csm_page.locator("form[action$='/amend/']")
        expect(amend.get_by_role("alert")).to_contain_text(
            "Prices, discounts and contract terms are in the “pricing” field group")
        expect(amend.locator("#id_unit_price_error")).to_have_text("You may not change the pricing field group.")
        expect(amend.locator("input[name=unit_price]")).to_have_value("50.00")  # still the contract's price
        expect(amend.locator("input[name=unit_price]")).to_be_disabled()
        shot(csm_page, "revenue-5-csm-price-refused")

        # the API with her session (the same cookie, CSRF token in the header)
        csrf = next(cookie["value"] for cookie in csm_context.cookies() if cookie["name"] == "csrftoken")
        response = csm_page.request.post(
            f"{live_server.url}/api/v1/subscriptions/{subscription.public_id}/amendments",
            data={"effective_date": today.isoformat(), "unit_price": "10.00", "version": subscription.version},
            headers={"X-CSRFToken": csrf, "Referer": f"{live_server.url}/"})
        assert response.status == 403, response.text()
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert "“pricing” field group" in problem["detail"], problem
    finally:
        csm_context.close()
    assert Subscription.objects.values().get(pk=subscription.pk) == before
    assert SubscriptionChange.objects.filter(subscription=subscription).count() == 2

    # 5. the clock moves to 90 days before the end; the renewal engine runs ------------------------------------
    notice_day = end - datetime.timedelta(days=90)
    set_clock(monkeypatch, notice_day)
    result = renewals_run(today=notice_day)
    assert (result.created, result.skipped) == (1, 0)
    record = RenewalRecord.objects.get(subscription=subscription)
    renewal_opportunity = record.opportunity
    assert renewal_opportunity.type == "renewal" and renewal_opportunity.owner == renewal
    assert record.assignee == renewal and renewal_opportunity.close_date == end
    assert renewal_opportunity.mrr_delta == Decimal("1250.00")
    tasks = list(Task.objects.filter(assignee=renewal).order_by("due_at"))
    assert [task.title for task in tasks] == ["Review usage and health",
                                              "Confirm the decision maker and the renewal date",
                                              "Prepare renewal quote", "Start the price negotiation"]

    rita_context, rita_page = signed_in(browser, live_server, renewal, password)
    try:
        expect(rita_page.locator("#notification-badge")).to_have_attribute("data-count", "1")  # renewal_assigned
        home = rita_page.locator("#home-renewals")
        expect(home).to_contain_text("Jeju Ferries")
        expect(home).to_contain_text("1,250.00 USD")
        expect(rita_page.locator("main")).to_contain_text("Review usage and health")
        shot(rita_page, "revenue-6-renewal-home")
        rita_page.get_by_role("link", name="Renewals").first.click()
        rita_page.wait_for_url(f"{live_server.url}/renewals/**")
        row = rita_page.locator("tbody tr", has_text="Jeju Ferries")
        expect(row).to_have_count(1)
        expect(row).to_contain_text(renewal_opportunity.name)
        expect(row).to_contain_text("Rita Renewal")
        shot(rita_page, "revenue-7-renewals-list")
        row.get_by_role("link", name=renewal_opportunity.name).click()
        rita_page.wait_for_url(f"{live_server.url}/renewals/{record.public_id}/")
        expect(rita_page.locator("#renewal-assignee")).to_contain_text("Rita Renewal")
        expect(rita_page.locator("#renewal-opportunity")).to_have_text(renewal_opportunity.name)
        shot(rita_page, "revenue-8-renewal")

        # 6. the account's timeline tells the story -----------------------------------------------------------
        rita_page.goto(f"{live_server.url}/accounts/{account.public_id}/")
        feed = rita_page.locator("#timeline-feed")
        for sentence in ("Lead qualified", "won", "Subscription Growth started", "Subscription Growth: seats 20 → 25",
                         "Renewal opportunity created"):
            expect(feed).to_contain_text(sentence)
        shot(rita_page, "revenue-9-account-timeline")
    finally:
        rita_context.close()
    events = set(Activity.objects.filter(account=account).values_list("payload__event", flat=True))
    assert {"lead_qualified", "opportunity_won", "subscription_created", "subscription_amended",
            "renewal_opportunity_created"} <= events, events
