"""Comments with @mentions in Chromium: a CSM types "@" in the comment box of an account, picks the AM from the
autocomplete, posts, and the AM finds the mention in the inbox and opens the exact comment."""

from __future__ import annotations

import pytest

from tandem.collaboration.models import Comment
from tandem.core.testing.factories import AccountFactory, assign
from tandem.notifications.models import Notification

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(page, live_server, email, password):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_a_csm_mentions_the_am_through_the_autocomplete_and_the_am_opens_the_comment(
        page, browser, live_server, csm, am, password, shot):
    account = AccountFactory(name="Contoso", owner=am)
    assign(account, csm, "csm")
    login(page, live_server, csm.email, password)
    page.goto(f"{live_server.url}/accounts/{account.public_id}/")
    box = page.locator(f"#comments-account-{account.public_id}-body")
    box.click()
    box.press_sequentially("Could you look at the renewal quote, @Ad", delay=20)
    option = page.locator(".mention-menu li", has_text="Adam AM")
    option.wait_for()
    shot(page, "mention-autocomplete")
    box.press("Enter")
    assert box.input_value() == f"Could you look at the renewal quote, @[Adam AM]({am.public_id}) "
    box.press_sequentially("please?")
    page.click("button:has-text('Post comment')")
    page.locator(".comment-body strong", has_text="@Adam AM").wait_for()
    comment = Comment.objects.get()
    assert list(comment.mentions.values_list("user__email", flat=True)) == [am.email]
    assert Notification.objects.filter(recipient=am, kind="mention").count() == 1

    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-US")
    colleague = context.new_page()
    login(colleague, live_server, am.email, password)
    colleague.locator("#notification-badge[data-count='1']").wait_for()
    colleague.goto(f"{live_server.url}/notifications/")
    colleague.click("text=Carla CSM mentioned you on Contoso")
    colleague.wait_for_url(f"**/accounts/{account.public_id}/#comment-{comment.public_id}")
    assert colleague.locator(f"#comment-{comment.public_id}").is_visible()
    shot(colleague, "mention-opened")
    context.close()
