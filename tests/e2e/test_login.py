"""A person logs in through the real login page in Chromium."""

from __future__ import annotations

import pytest

from tandem.core.testing.factories import AccountFactory, assign

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(page, live_server, email: str, password: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def test_a_user_logs_in_and_sees_the_home_page(page, live_server, am, password, shot):
    login(page, live_server, am.email, password)
    page.wait_for_url(f"{live_server.url}/")
    assert "Welcome back, Adam" in page.inner_text("main")
    shot(page, "home")


def test_a_wrong_password_shows_the_generic_message(page, live_server, am):
    login(page, live_server, am.email, "not the password")
    assert "Email or password is incorrect" in page.inner_text("[role=alert]")
    assert page.url.endswith("/login/")


def test_the_login_form_works_with_the_keyboard_only(page, live_server, am, password):
    page.goto(f"{live_server.url}/login/")
    page.keyboard.type(am.email)  # the email field has focus on load
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("nav[aria-label]").is_visible()


def test_the_language_switcher_changes_the_interface_language(page, live_server, am, password):
    login(page, live_server, am.email, password)
    page.wait_for_url(f"{live_server.url}/")
    with page.expect_navigation():
        page.select_option("#language-select", "de")
    assert page.get_attribute("html", "lang") == "de"
    assert "Willkommen zurück" in page.inner_text("main")


def test_a_csm_finds_a_misspelled_account_from_the_top_bar_but_only_their_own(page, live_server, csm, password, shot):
    mine = AccountFactory(name="Northwind Traders")
    assign(mine, csm, "csm")
    AccountFactory(name="Northwind Logistics")  # not the CSM's
    login(page, live_server, csm.email, password)
    page.wait_for_url(f"{live_server.url}/")
    page.fill("#global-search-input", "nortwind")
    page.wait_for_selector(".search-dropdown a")
    results = page.inner_text("#global-search-results")
    assert "Northwind Traders" in results and "Northwind Logistics" not in results
    shot(page, "search")
    page.click(".search-dropdown a >> text=Northwind Traders")
    page.wait_for_url(f"{live_server.url}/accounts/{mine.public_id}/")
