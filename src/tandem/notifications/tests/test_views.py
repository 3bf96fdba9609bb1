"""The bell, the inbox, preferences, the follow button and the failed-deliveries page."""

from __future__ import annotations

from tandem.core.testing.factories import AccountFactory
from tandem.core.testing.fixtures import logged_in
from tandem.notifications import selectors, services
from tandem.notifications.models import ChatWebhook, Follow, Notification


def _mention(recipient, key="c1", url="/accounts/x/"):
    return services.notify(recipients=[recipient], kind="mention", title=f"Mention {key}", url=url, actor=None,
                           event_key=key)[0]


def test_the_badge_shows_the_unread_count_and_keeps_polling(csm):
    client = logged_in(csm)
    empty = client.get("/notifications/badge/")
    assert empty.status_code == 200 and 'data-count="0"' in empty.content.decode()
    _mention(csm, "c1")
    _mention(csm, "c2")
    body = client.get("/notifications/badge/").content.decode()
    assert 'data-count="2"' in body and 'hx-trigger="every 30s"' in body and ">2<" in body


def test_every_page_has_the_bell_which_loads_its_count_without_a_query(csm):
    body = logged_in(csm).get("/").content.decode()
    assert 'href="/notifications/"' in body and 'hx-get="/notifications/badge/"' in body


def test_the_inbox_shows_only_my_notifications_unread_first(csm, manager):
    _mention(csm, "mine-old")
    read = _mention(csm, "mine-read")
    services.notification_mark_read(actor=csm, notification=read)
    _mention(manager, "theirs")
    body = logged_in(csm).get("/notifications/").content.decode()
    assert "Mention mine-old" in body and "Mention mine-read" in body and "Mention theirs" not in body
    assert body.index("Mention mine-old") < body.index("Mention mine-read")


def test_opening_a_notification_marks_it_read_and_goes_to_the_record(csm, manager):
    notification = _mention(csm, url="/accounts/abc/")
    theirs = _mention(manager, "theirs")
    client = logged_in(csm)
    response = client.get(f"/notifications/{notification.public_id}/open/")
    assert response.status_code == 302 and response["Location"] == "/accounts/abc/"
    assert selectors.unread_count(actor=csm) == 0
    assert client.get(f"/notifications/{theirs.public_id}/open/").status_code == 404
    assert client.post(f"/notifications/{theirs.public_id}/read/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_an_offsite_link_is_never_followed(csm):
    notification = _mention(csm, url="https://evil.example/")
    response = logged_in(csm).get(f"/notifications/{notification.public_id}/open/")
    assert response["Location"] == "/notifications/"


def test_mark_all_read(csm):
    _mention(csm, "a")
    _mention(csm, "b")
    assert logged_in(csm).post("/notifications/read-all/").status_code == 302
    assert selectors.unread_count(actor=csm) == 0


def test_the_preferences_page_saves_channels_and_a_webhook_it_never_shows_again(csm):
    client = logged_in(csm)
    assert client.get("/me/notifications/").status_code == 200
    response = client.post("/me/notifications/", {"mention__in_app": "on", "mention__chat": "on",
                                                  "chat_webhook_url": "https://hooks.example.test/T/B/secret"})
    assert response.status_code == 302
    prefs = {pref.kind.code: pref.channels for pref in selectors.preferences_of(actor=csm, user=csm)}
    assert prefs["mention"] == {"in_app", "chat"} and prefs["system"] == frozenset()
    page = client.get("/me/notifications/").content.decode()
    assert "https://hooks.example.test/…" in page and "secret" not in page
    bad = client.post("/me/notifications/", {"chat_webhook_url": "gopher://x"})
    assert bad.status_code == 200 and "must start with https://" in bad.content.decode()
    assert ChatWebhook.objects.get().url == "https://hooks.example.test/T/B/secret"


def test_the_follow_button_follows_and_unfollows_an_account(am):
    account = AccountFactory(owner=am)
    client = logged_in(am)
    page = client.get(f"/accounts/{account.public_id}/").content.decode()
    assert 'name="action" value="follow"' in page
    response = client.post("/follows/toggle/", {"object_type": "account", "object_id": account.public_id,
                                                "action": "follow"}, HTTP_HX_REQUEST="true")
    assert 'value="unfollow"' in response.content.decode()
    assert Follow.objects.filter(user=am).count() == 1
    assert client.get("/me/follows/").content.decode().count(account.name) >= 1
    client.post("/follows/toggle/", {"object_type": "account", "object_id": account.public_id,
                                     "action": "unfollow"})
    assert not Follow.objects.exists()


def test_nobody_follows_what_they_cannot_see(am, outsider):
    account = AccountFactory(owner=am)
    response = logged_in(outsider).post("/follows/toggle/", {"object_type": "account",
                                                            "object_id": account.public_id})
    assert response.status_code == 404 and not Follow.objects.exists()


def test_failed_deliveries_are_for_administrators(admin, csm):
    assert logged_in(csm).get("/admin/notification-deliveries/").status_code == 404
    assert logged_in(admin).get("/admin/notification-deliveries/").status_code == 200
