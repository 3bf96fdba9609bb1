from __future__ import annotations

import datetime
import re

import pyotp
import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from tandem.audit.models import AuditEntry
from tandem.core.testing.factories import UserFactory
from tandem.core.testing.fixtures import bearer_for, logged_in
from tandem.identity import services
from tandem.identity.models import ApiToken, LoginAttempt, Role, TotpDevice

GENERIC = "Email or password is incorrect, or the account is temporarily locked."


def attempt(client: Client, email: str, password: str):
    return client.post("/login/", {"username": email, "password": password})


def test_a_user_logs_in_and_out(am, password):
    client = Client()
    response = attempt(client, am.email, password)
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Adam AM" in client.get("/").content.decode()
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_a_wrong_password_and_an_unknown_email_get_the_same_generic_message(am):
    wrong = attempt(Client(), am.email, "nope").content.decode()
    unknown = attempt(Client(), "nobody@example.test", "nope").content.decode()
    assert GENERIC in wrong and GENERIC in unknown
    assert LoginAttempt.objects.filter(succeeded=False).count() == 2


def test_repeated_failures_lock_the_account_even_for_the_right_password(am, password, settings):
    settings.LOGIN_MAX_FAILURES = 3
    client = Client()
    for _attempt in range(3):
        attempt(client, am.email, "wrong")
    response = attempt(client, am.email, password)
    assert GENERIC in response.content.decode()
    assert client.get("/").status_code == 302
    locked = AuditEntry.objects.filter(action="security", object_id=str(am.pk), summary__startswith="Login locked")
    assert locked.exists()


def test_the_lockout_ends_after_the_window(am, password, settings):
    settings.LOGIN_MAX_FAILURES = 2
    for _attempt in range(2):
        attempt(Client(), am.email, "wrong")
    window = datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES + 1)
    LoginAttempt.objects.update(attempted_at=timezone.now() - window)
    assert attempt(Client(), am.email, password).status_code == 302


def test_two_factor_login_needs_a_fresh_code_and_refuses_a_replay(am, password):
    device = services.totp_enrol_start(user=am)
    totp = pyotp.TOTP(device.secret)
    assert services.totp_confirm(user=am, device=device, code=totp.now())
    client = Client()
    response = attempt(client, am.email, password)
    assert response["Location"] == "/login/verify/"
    assert client.get("/").status_code == 302  # not logged in before the code
    TotpDevice.objects.filter(pk=device.pk).update(last_used_step=0)
    code = totp.now()
    assert client.post("/login/verify/", {"code": code}).status_code == 302
    assert "Adam AM" in client.get("/").content.decode()
    other = Client()
    attempt(other, am.email, password)
    replay = other.post("/login/verify/", {"code": code})
    assert replay.status_code == 200 and "not valid" in replay.content.decode()


def test_a_role_that_requires_two_factor_forces_enrolment(csm):
    Role.objects.filter(code="csm").update(requires_two_factor=True)
    response = logged_in(csm).get("/accounts/")
    assert response.status_code == 302 and response["Location"].startswith("/me/two-factor/")
    assert "<svg" in logged_in(csm).get("/me/two-factor/").content.decode()


def test_password_reset_sends_a_working_link_and_answers_the_same_for_unknown_emails(am):
    client = Client()
    known = client.post("/password-reset/", {"email": am.email})
    unknown = client.post("/password-reset/", {"email": "ghost@example.test"})
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/password-reset/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new = "a new Passw0rd!"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    am.refresh_from_db()
    assert am.check_password("a new Passw0rd!")


def test_deactivating_a_user_ends_their_session_and_revokes_their_tokens_at_once(admin, am, client):
    session = logged_in(am)
    headers = bearer_for(am, ["accounts:read"])
    assert client.get("/api/v1/me", **headers).status_code == 200
    services.user_set_active(actor=admin, user=am, active=False)
    assert session.get("/accounts/").status_code == 302
    assert client.get("/api/v1/me", **headers).status_code == 401
    assert not ApiToken.objects.filter(user=am, revoked_at__isnull=True).exists()


def test_an_administrator_invites_a_user_who_gets_a_set_password_link(admin):
    logged_in(admin).post("/admin/users/", {"full_name": "Nina New", "email": "nina@example.test",
                                           "roles": [Role.objects.get(code="csm").pk]})
    assert len(mail.outbox) == 1 and "nina@example.test" in mail.outbox[0].to
    nina = admin.__class__.objects.get(email="nina@example.test")
    assert not nina.has_usable_password()
    assert list(nina.roles.values_list("code", flat=True)) == ["csm"]


@pytest.mark.parametrize("url", ["/admin/users/", "/admin/teams/", "/admin/roles/"])
def test_non_administrators_cannot_open_the_administration_pages(csm, url):
    assert logged_in(csm).get(url).status_code == 404


def test_changing_roles_is_audited_with_before_and_after(admin):
    user = UserFactory(roles=["csm"])
    services.user_roles_set(actor=admin, user=user, role_codes=["csm", "am"])
    entry = AuditEntry.objects.get(object_id=str(user.pk), action="change")
    assert entry.changes == {"roles": [["csm"], ["am", "csm"]]}


def test_a_user_creates_a_token_shown_once_and_revokes_it(am, client):
    page = logged_in(am).post("/me/tokens/", {"name": "sync", "scopes": ["accounts:read"]}).content.decode()
    secret = re.search(r"<code>(tdm_[^<]+)</code>", page).group(1)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    token = ApiToken.objects.get(user=am)
    assert token.token_hash != secret and secret not in str(token.__dict__)
    assert secret not in logged_in(am).get("/me/tokens/").content.decode()
    logged_in(am).post(f"/me/tokens/{token.public_id}/revoke/")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
