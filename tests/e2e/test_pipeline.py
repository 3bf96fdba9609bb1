"""Issue 5's pipeline story in Chromium: an SDR creates a lead from a trial sign-up and qualifies it for an AE;
the AE drags the new opportunity across the kanban board to Won."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tandem.core.testing.factories import UserFactory
from tandem.pipeline.models import Lead, Opportunity
from tests.e2e.test_login import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_lead_is_qualified_and_its_opportunity_dragged_to_won(page, browser, live_server, password, shot):
    sdr = UserFactory(email="sam@example.test", full_name="Sam SDR", roles=["sdr"])
    ae = UserFactory(email="alex@example.test", full_name="Alex AE", roles=["ae"])
    login(page, live_server, sdr.email, password)
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name="Leads").first.click()
    page.click("text=New lead")
    page.fill("input[name=company_name]", "Jeju Ferries")
    page.fill("input[name=contact_first_name]", "Ye-jin")
    page.fill("input[name=contact_last_name]", "Ko")
    page.fill("input[name=contact_email]", "yejin@jeju-ferries.kr")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/leads/**")
    page.get_by_role("button", name="Log call").click()
    page.wait_for_url(f"{live_server.url}/leads/**")
    assert "Working" in page.inner_text("h1")
    page.select_option("select[name=ae]", ae.email)
    page.fill("input[name=mrr_delta]", "1200")
    page.fill("input[name=close_date]", timezone.localdate().isoformat())
    page.get_by_role("button", name="Qualify lead", exact=True).click()
    page.wait_for_url(f"{live_server.url}/pipeline/opportunities/**")
    shot(page, "pipeline-qualified")
    lead = Lead.objects.get(company_name="Jeju Ferries")
    opportunity = Opportunity.objects.get(pk=lead.opportunity_id)
    assert lead.status == "qualified" and opportunity.owner == ae and lead.account.name == "Jeju Ferries"

    context = browser.new_context(viewport={"width": 1600, "height": 900}, locale="en-US")
    ae_page = context.new_page()
    login(ae_page, live_server, ae.email, password)
    ae_page.wait_for_url(f"{live_server.url}/")
    assert "Jeju Ferries" in ae_page.locator("#home-closing").inner_text()
    ae_page.goto(f"{live_server.url}/pipeline/?type=new_business")
    card = ae_page.locator(f"article[data-opportunity='{opportunity.public_id}']")
    won_column = ae_page.locator("section.board-column[data-kind='won']")
    with ae_page.expect_response(lambda response: "/move/" in response.url, timeout=8000) as moved:
        card.drag_to(won_column, source_position={"x": 4, "y": 4})  # grab the card, not its select
    assert moved.value.status == 200
    ae_page.wait_for_timeout(300)  # htmx settles the swapped board
    shot(ae_page, "pipeline-board-won")
    opportunity.refresh_from_db()
    assert opportunity.stage.kind == "won" and opportunity.closed_on is not None
    assert "Won" in ae_page.locator(f"article[data-opportunity='{opportunity.public_id}'] select").evaluate(
        "select => select.options[select.selectedIndex].text")
    context.close()
