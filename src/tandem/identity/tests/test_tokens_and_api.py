"""The API tokens page and the read-only identity API (users, teams, roles)."""

from __future__ import annotations

import datetime
import re

from django.test import Client
from django.utils import timezone

from tandem.audit.models import AuditEntry
from tandem.core.testing.factories import TeamFactory, UserFactory
from tandem.core.testing.fixtures import bearer_for, logged_in
from tandem.identity.models import ApiToken


def test_a_user_creates_a_token_shown_once_and_revokes_it(am, client):
    response = logged_in(am).post("/me/tokens/", {"name": "sync", "scopes": ["accounts:read"]})
    assert response["Cache-Control"] == "no-store"
    secret = re.search(r"<code>(tdm_[^<]+)</code>", response.content.decode()).group(1)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    token = ApiToken.objects.get(user=am)
    assert token.scopes == ["accounts:read"] and token.token_hash != secret
    assert secret not in str(token.__dict__)
    listing = logged_in(am).get("/me/tokens/").content.decode()
    assert secret not in listing and token.prefix in listing and "sync" in listing
    logged_in(am).post(f"/me/tokens/{token.public_id}/revoke/")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert AuditEntry.objects.filter(object_id=str(token.pk), action="change", summary="Token revoked").exists()


def test_a_token_needs_a_known_scope_and_a_future_expiry(am):
    client = logged_in(am)
    assert client.post("/me/tokens/", {"name": "sync", "scopes": ["everything"]}).status_code == 200
    yesterday = (timezone.now() - datetime.timedelta(days=1)).date().isoformat()
    page = client.post("/me/tokens/", {"name": "sync", "scopes": ["accounts:read"], "expires_at": yesterday})
    assert "The expiry must be in the future." in page.content.decode()
    assert not ApiToken.objects.exists()


def test_a_token_with_an_expiry_stops_working_after_it(am, client):
    tomorrow = (timezone.now() + datetime.timedelta(days=2)).date().isoformat()
    page = logged_in(am).post("/me/tokens/", {"name": "temp", "scopes": ["accounts:read"],
                                              "expires_at": tomorrow}).content.decode()
    secret = re.search(r"<code>(tdm_[^<]+)</code>", page).group(1)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert "expired" in logged_in(am).get("/me/tokens/").content.decode()


def test_nobody_else_can_revoke_a_users_token_and_it_stays_usable(am, csm, client):
    headers = bearer_for(am, ["accounts:read"])
    token = ApiToken.objects.get(user=am)
    assert logged_in(csm).post(f"/me/tokens/{token.public_id}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.get("/api/v1/me", **headers).status_code == 200


def test_the_users_api_lists_users_with_keyset_pagination(admin, client):
    for number in range(5):
        UserFactory(full_name=f"Paged {number}", email=f"paged{number}@example.test", roles=["csm"])
    headers = bearer_for(admin, ["users:read"])
    first = client.get("/api/v1/users?limit=3&q=paged", **headers).json()
    assert [user["full_name"] for user in first["items"]] == ["Paged 0", "Paged 1", "Paged 2"]
    second = client.get(f"/api/v1/users?limit=3&q=paged&cursor={first['next_cursor']}", **headers).json()
    assert [user["full_name"] for user in second["items"]] == ["Paged 3", "Paged 4"]
    assert second["next_cursor"] is None
    assert second["items"][0]["roles"] == ["csm"] and second["items"][0]["is_active"] is True


def test_the_users_api_needs_the_scope_and_the_right_to_view_users(admin, csm, client):
    assert client.get("/api/v1/users", **bearer_for(admin, ["accounts:read"])).status_code == 403
    assert client.get("/api/v1/users", **bearer_for(csm, ["users:read"])).status_code == 403
    assert client.get("/api/v1/users").status_code == 401


def test_one_user_by_public_id_and_404_for_unknown_or_invisible(admin, am, csm, client):
    body = client.get(f"/api/v1/users/{am.public_id}", **bearer_for(admin, ["users:read"])).json()
    assert body == {"id": am.public_id, "email": am.email, "full_name": "Adam AM", "is_active": True,
                    "roles": ["am"], "teams": [], "time_zone": "UTC", "last_login": None}
    assert client.get("/api/v1/users/nope", **bearer_for(admin, ["users:read"])).status_code == 404
    assert client.get(f"/api/v1/users/{am.public_id}", **bearer_for(csm, ["users:read"])).status_code == 404


def test_the_teams_and_roles_api(admin, am, client):
    team = TeamFactory(name="EMEA", manager=am)
    team.members.set([am])
    headers = bearer_for(admin, ["users:read"])
    assert client.get("/api/v1/teams", **headers).json() == [
        {"id": team.public_id, "name": "EMEA", "manager": am.email, "members": [am.email]}]
    roles = client.get("/api/v1/roles", **headers).json()
    assert {"code": "csm", "name": "Customer success manager"}.items() <= next(
        role for role in roles if role["code"] == "csm").items()


def test_a_session_user_reads_the_users_api_too(manager):
    assert Client().get("/api/v1/users").status_code == 401
    assert logged_in(manager).get("/api/v1/users").status_code == 200


def test_a_refusal_is_in_the_language_the_caller_asks_for(csm, client):
    headers = bearer_for(csm, ["users:read"])
    response = client.get("/api/v1/users", HTTP_ACCEPT_LANGUAGE="de", **headers)
    assert response.status_code == 403
    assert response.json()["detail"] == "Sie dürfen keine Benutzer einsehen."
    assert client.get("/api/v1/teams", HTTP_ACCEPT_LANGUAGE="de", **headers).json()["detail"] == (
        "Sie dürfen keine Teams einsehen.")
    assert client.get("/api/v1/users", **headers).json()["detail"] == "You may not read users."
