"""/api/v1/notifications, /api/v1/notification-preferences and /api/v1/follows."""

from __future__ import annotations

from django.test import Client

from tandem.core.testing.factories import AccountFactory
from tandem.core.testing.fixtures import bearer_for
from tandem.notifications import services
from tandem.notifications.models import Follow


def _mention(recipient, key):
    return services.notify(recipients=[recipient], kind="mention", title=f"Mention {key}", url="/x/", actor=None,
                           event_key=key)[0]


def test_listing_filters_unread_and_paginates(csm, manager):
    for key in ("a", "b", "c"):
        _mention(csm, key)
    _mention(manager, "theirs")
    first = _mention(csm, "d")
    services.notification_mark_read(actor=csm, notification=first)
    headers = bearer_for(csm, ["notifications:read"])
    body = Client().get("/api/v1/notifications?limit=2", **headers).json()
    assert [item["title"] for item in body["items"]] == ["Mention d", "Mention c"] and body["next_cursor"]
    rest = Client().get(f"/api/v1/notifications?limit=2&cursor={body['next_cursor']}", **headers).json()
    assert [item["title"] for item in rest["items"]] == ["Mention b", "Mention a"] and rest["next_cursor"] is None
    unread = Client().get("/api/v1/notifications?unread=true", **headers).json()
    assert [item["title"] for item in unread["items"]] == ["Mention c", "Mention b", "Mention a"]
    assert Client().get("/api/v1/notifications/unread-count", **headers).json() == {"unread": 3}


def test_marking_read_one_and_all(csm, manager):
    mine = _mention(csm, "a")
    _mention(csm, "b")
    theirs = _mention(manager, "theirs")
    headers = bearer_for(csm, ["notifications:read", "notifications:write"])
    response = Client().post(f"/api/v1/notifications/{mine.public_id}/read", **headers)
    assert response.status_code == 200 and response.json()["unread"] is False
    assert Client().post(f"/api/v1/notifications/{theirs.public_id}/read", **headers).status_code == 404
    assert Client().post("/api/v1/notifications/read-all", **headers).json() == {"marked_read": 1}


def test_preferences_round_trip_with_field_errors(csm):
    headers = bearer_for(csm, ["notifications:read", "notifications:write"])
    body = Client().put("/api/v1/notification-preferences", {"kinds": [{"kind": "mention", "channels": ["chat"]}],
                                                             "chat_webhook_url": "https://hooks.example.test/x/y"},
                        content_type="application/json", **headers).json()
    mention = next(item for item in body["kinds"] if item["kind"] == "mention")
    assert mention == {"kind": "mention", "label": "Mentions of me", "channels": ["chat"], "customised": True}
    assert body["chat_webhook"] == "https://hooks.example.test/…"
    bad = Client().put("/api/v1/notification-preferences", {"kinds": [{"kind": "mention", "channels": ["fax"]}]},
                       content_type="application/json", **headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "kinds.0.channels"
    bad_url = Client().put("/api/v1/notification-preferences", {"chat_webhook_url": "file:///etc/passwd"},
                           content_type="application/json", **headers)
    assert bad_url.status_code == 422 and bad_url.json()["errors"][0]["field"] == "chat_webhook_url"


def test_follows_create_list_and_delete(am, outsider):
    account = AccountFactory(owner=am)
    headers = bearer_for(am, ["notifications:read", "notifications:write"])
    created = Client().post("/api/v1/follows", {"object_type": "account", "object_id": account.public_id},
                            content_type="application/json", **headers)
    assert created.status_code == 201 and created.json()["url"] == f"/accounts/{account.public_id}/"
    listed = Client().get("/api/v1/follows", **headers).json()["items"]
    assert [(item["object_type"], item["object_id"]) for item in listed] == [("account", account.public_id)]
    outsider_headers = bearer_for(outsider, ["notifications:write"])
    assert Client().post("/api/v1/follows", {"object_type": "account", "object_id": account.public_id},
                         content_type="application/json", **outsider_headers).status_code == 404
    assert Client().post("/api/v1/follows", {"object_type": "spaceship", "object_id": "x"},
                         content_type="application/json", **headers).status_code == 404
    assert Client().delete(f"/api/v1/follows/account/{account.public_id}", **headers).status_code == 204
    assert Client().delete(f"/api/v1/follows/account/{account.public_id}", **headers).status_code == 404
    assert not Follow.objects.exists()
