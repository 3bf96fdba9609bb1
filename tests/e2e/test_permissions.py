"""An administrator edits the permission matrix in Chromium: a changed cell is highlighted before saving,
the save takes effect, and explain access shows the new rule."""

from __future__ import annotations

import pytest

from tandem.access.models import Permission
from tandem.core.testing.factories import AccountFactory
from tests.e2e.test_login import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHANGED = "rgb(254, 243, 215)"  # --yellow-soft


def test_an_administrator_widens_a_scope_and_explain_access_shows_it(page, live_server, admin, csm, password, shot):
    account = AccountFactory(name="Far away")
    login(page, live_server, admin.email, password)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/admin/permissions/")
    cell = page.locator("td:has(select[name=rule-csm-account-view])")
    assert cell.evaluate("td => getComputedStyle(td).backgroundColor") != CHANGED
    page.select_option("select[name=rule-csm-account-view]", "all")
    assert cell.evaluate("td => getComputedStyle(td).backgroundColor") == CHANGED
    shot(page, "permissions-editor-unsaved")
    page.click(".save-bar button[type=submit]")
    assert "Saved 1 permission changes." in page.inner_text(".messages")
    assert Permission.objects.get(role__code="csm", resource="account", action="view").scope == "all"
    assert cell.evaluate("td => getComputedStyle(td).backgroundColor") != CHANGED

    page.goto(f"{live_server.url}/admin/explain/?user={csm.public_id}&resource=account&record={account.public_id}")
    row = page.locator("tr", has_text="View").first
    assert "allowed" in row.inner_text()
    assert "allows “View” on all accounts" in row.inner_text()
    shot(page, "explain-access")
