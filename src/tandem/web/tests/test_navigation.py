"""The menu every page shows."""

from __future__ import annotations

from tandem.core.testing.factories import AccountFactory
from tandem.core.testing.fixtures import logged_in
from tandem.web import context


def test_the_menu_is_built_once_per_request_however_many_templates_the_page_renders(admin, monkeypatch):
    """Context processors run for every template rendered with the request; the Account 360 page renders each of
    its sections so. The menu (permission checks and URLs) is built once and reused."""
    built = []
    original = context._navigation

    def counting(request):
        built.append(request.path)
        return original(request)

    monkeypatch.setattr(context, "_navigation", counting)
    account = AccountFactory(name="Menu Test")
    page = logged_in(admin).get(f"/accounts/{account.public_id}/").content.decode()
    assert built == [f"/accounts/{account.public_id}/"]
    assert 'href="/accounts/"' in page and "Audit log" in page  # the menu is still complete
