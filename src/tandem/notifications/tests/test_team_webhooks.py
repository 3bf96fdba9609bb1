"""A team's chat webhook: set and removed in the page and through the API by people who may change teams, shown
only masked, audited without the URL, and used for members without a webhook of their own."""

from __future__ import annotations

import json

from django.test import Client

from tandem.audit.models import AuditEntry
from tandem.core.testing.factories import TeamFactory
from tandem.core.testing.fixtures import bearer_for, logged_in
from tandem.notifications import services
from tandem.notifications.models import ChatWebhook

SECRET_URL = "https://hooks.example.test/services/T0/B0/very-secret-token"
URL = "/api/v1/teams/{}/chat-webhook"


def _audit_text() -> str:
    return json.dumps([[entry.summary, entry.changes, entry.object_repr] for entry in AuditEntry.objects.all()])


def test_an_administrator_sets_and_removes_a_team_webhook_in_the_page_and_sees_only_its_host(admin):
    team = TeamFactory(name="Key accounts")
    client = logged_in(admin)
    page = f"/admin/teams/{team.public_id}/chat-webhook/"
    detail = client.get(f"/admin/teams/{team.public_id}/").content.decode()
    assert f'href="{page}"' in detail
    assert "This team has no chat webhook." in client.get(page).content.decode()
    response = client.post(page, {"chat_webhook_url": SECRET_URL})
    assert response.status_code == 302 and response["Location"] == page
    assert ChatWebhook.objects.get(team=team).url == SECRET_URL
    shown = client.get(page).content.decode()
    assert "https://hooks.example.test/…" in shown and "very-secret-token" not in shown
    entry = AuditEntry.objects.get(summary="chat webhook set")
    assert entry.object_repr == "Key accounts" and entry.changes == {"chat_webhook": [None, "set"]}
    assert "very-secret-token" not in _audit_text()
    empty = client.post(page, {"chat_webhook_url": ""})
    assert empty.status_code == 200 and "Enter the webhook address." in empty.content.decode()
    bad = client.post(page, {"chat_webhook_url": "ftp://hooks.example.test/x"})
    assert bad.status_code == 200 and "must start with https://" in bad.content.decode()
    assert client.post(page, {"remove_chat_webhook": "on"}).status_code == 302
    assert not ChatWebhook.objects.filter(team=team).exists()
    assert AuditEntry.objects.filter(summary="chat webhook removed").count() == 1


def test_a_csm_gets_404_for_the_team_webhook_page_and_changes_nothing(csm, manager):
    team = TeamFactory()
    for person in (csm, manager):
        client = logged_in(person)
        assert client.get(f"/admin/teams/{team.public_id}/chat-webhook/").status_code == 404
        assert client.post(f"/admin/teams/{team.public_id}/chat-webhook/",
                           {"chat_webhook_url": SECRET_URL}).status_code == 404
    assert not ChatWebhook.objects.exists() and not AuditEntry.objects.filter(summary__startswith="chat").exists()


def test_an_administrator_sets_a_team_webhook_through_the_api_and_reads_it_back_masked(admin):
    team = TeamFactory(name="Key accounts")
    headers = bearer_for(admin, ["notifications:read", "notifications:write"])
    response = Client().put(URL.format(team.public_id), {"url": SECRET_URL}, content_type="application/json",
                            **headers)
    assert response.status_code == 200
    assert response.json() == {"team_id": team.public_id, "team": "Key accounts",
                               "chat_webhook": "https://hooks.example.test/…"}
    assert "very-secret-token" not in response.content.decode()
    read = Client().get(URL.format(team.public_id), **headers)
    assert read.json()["chat_webhook"] == "https://hooks.example.test/…" and "secret" not in read.content.decode()
    assert ChatWebhook.objects.get(team=team).url == SECRET_URL and "very-secret-token" not in _audit_text()
    bad = Client().put(URL.format(team.public_id), {"url": "file:///etc/passwd"}, content_type="application/json",
                       **headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "url"
    removed = Client().put(URL.format(team.public_id), {"url": None}, content_type="application/json", **headers)
    assert removed.json()["chat_webhook"] is None and not ChatWebhook.objects.exists()
    assert Client().get(URL.format("nope"), **headers).status_code == 404


def test_the_team_webhook_api_refuses_people_who_may_not_change_teams_and_tokens_without_the_scope(
        admin, csm, manager):
    team = TeamFactory()
    body = {"url": SECRET_URL}
    csm_headers = bearer_for(csm, ["notifications:read", "notifications:write"])
    assert Client().get(URL.format(team.public_id), **csm_headers).status_code == 404  # may not even see teams
    assert Client().put(URL.format(team.public_id), body, content_type="application/json",
                        **csm_headers).status_code == 404
    manager_headers = bearer_for(manager, ["notifications:read", "notifications:write"])
    forbidden = Client().put(URL.format(team.public_id), body, content_type="application/json", **manager_headers)
    assert forbidden.status_code == 403 and forbidden["Content-Type"] == "application/problem+json"
    read_only = bearer_for(admin, ["notifications:read"])
    assert Client().put(URL.format(team.public_id), body, content_type="application/json",
                        **read_only).status_code == 403
    assert Client().get(URL.format(team.public_id)).status_code == 401
    assert not ChatWebhook.objects.exists()


def test_a_member_without_a_webhook_of_their_own_gets_chat_messages_at_the_team_webhook(am, csm, admin,
                                                                                         chat_server):
    team = TeamFactory()
    team.members.add(csm)
    Client().put(URL.format(team.public_id), {"url": chat_server.url}, content_type="application/json",
                 **bearer_for(admin, ["notifications:write"]))
    services.preferences_update(actor=csm, user=csm, choices={"mention": ["in_app", "chat"]})
    services.notify(recipients=[csm], kind="mention", title="Adam mentioned you", url="/accounts/abc/", actor=am,
                    event_key="comment:1")
    assert services.outbox_deliver().delivered == 1
    assert chat_server.paths == ["/hooks/T123/secret-part"]
    (message,) = chat_server.received
    assert "*Adam mentioned you*" in message["text"]
