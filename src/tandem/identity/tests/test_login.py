"""Login with lockout, the two-factor step, enforced enrolment, logout."""

from __future__ import annotations

import datetime

import pyotp
import pytest
from django.test import Client
from django.utils import timezone

from tandem.audit.models import AuditEntry
from tandem.core.testing.fixtures import logged_in
from tandem.identity import services
from tandem.identity.models import LoginAttempt, Role, TotpDevice
from tandem.identity.views import PENDING_SINCE_KEY

GENERIC = "Email or password is incorrect, or the account is temporarily locked."


def attempt(client: Client, email: str, password: str, ip: str = "10.0.0.1", **extra):
    return client.post("/login/", {"username": email, "password": password, **extra}, REMOTE_ADDR=ip)


def error_text(response) -> str:
    """The alert on the login page (the rest differs only by the CSRF token)."""
    html = response.content.decode()
    start = html.index('role="alert">') + len('role="alert">')
    return html[start:html.index("</p>", start)]


def enrol(user) -> pyotp.TOTP:
    device = services.totp_enrol_start(user=user)
    totp = pyotp.TOTP(device.secret)
    assert services.totp_confirm(user=user, device=device, code=totp.now())
    TotpDevice.objects.filter(pk=device.pk).update(last_used_step=0)  # let the test reuse the current step once
    return totp


def test_a_user_logs_in_and_out(am, password):
    client = Client()
    response = attempt(client, am.email, password)
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Adam AM" in client.get("/").content.decode()
    assert client.get("/logout/").status_code == 405  # logging out is a POST (no logout by a stray link)
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_every_attempt_is_recorded_and_a_success_clears_nothing(am, password):
    attempt(Client(), am.email, "wrong")
    attempt(Client(), am.email, password)
    attempts = list(LoginAttempt.objects.order_by("id").values_list("email", "ip_address", "succeeded"))
    assert attempts == [(am.email, "10.0.0.1", False), (am.email, "10.0.0.1", True)]


def test_a_wrong_password_and_an_unknown_email_get_the_same_generic_message(am):
    wrong = attempt(Client(), am.email, "nope")
    unknown = attempt(Client(), "nobody@example.test", "nope")
    assert wrong.status_code == unknown.status_code == 200
    assert GENERIC in error_text(wrong)
    assert error_text(wrong) == error_text(unknown)
    assert LoginAttempt.objects.filter(succeeded=False).count() == 2


def test_repeated_failures_lock_the_account_even_for_the_right_password(am, password, settings):
    settings.LOGIN_MAX_FAILURES = 3
    client = Client()
    for _attempt in range(3):
        attempt(client, am.email, "wrong")
    locked_response = attempt(client, am.email, password)
    assert GENERIC in error_text(locked_response)
    assert error_text(locked_response) == error_text(attempt(Client(), "ghost@example.test", "x"))
    assert client.get("/").status_code == 302
    locked = AuditEntry.objects.filter(action="security", summary__startswith="Login for adam@example.test locked")
    assert locked.count() == 1 and locked.get().object_id == str(am.pk)


def test_a_locked_unknown_email_looks_exactly_like_a_locked_real_one(am, settings):
    settings.LOGIN_MAX_FAILURES = 2
    for email in (am.email, "ghost@example.test"):
        for _attempt in range(2):
            attempt(Client(), email, "wrong")
    assert error_text(attempt(Client(), am.email, "wrong")) == error_text(
        attempt(Client(), "ghost@example.test", "wrong"))


def test_the_lockout_ends_after_the_window(am, password, settings):
    settings.LOGIN_MAX_FAILURES = 2
    for _attempt in range(2):
        attempt(Client(), am.email, "wrong")
    assert attempt(Client(), am.email, password).status_code == 200
    window = datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES + 1)
    LoginAttempt.objects.update(attempted_at=timezone.now() - window)
    assert attempt(Client(), am.email, password).status_code == 302


def test_one_address_trying_many_emails_is_locked_but_other_addresses_are_not(am, password, settings):
    settings.LOGIN_MAX_FAILURES = 2
    for number in range(6):  # three times the per-email limit, each email below its own limit
        attempt(Client(), f"guess{number}@example.test", "wrong", ip="192.0.2.9")
    assert attempt(Client(), am.email, password, ip="192.0.2.9").status_code == 200
    assert AuditEntry.objects.filter(action="security", summary__startswith="Logins from 192.0.2.9 locked").count() == 1
    assert attempt(Client(), am.email, password, ip="198.51.100.7").status_code == 302


def test_an_inactive_user_cannot_log_in_and_gets_the_generic_message(am, password):
    am.is_active = False
    am.save()
    response = attempt(Client(), am.email, password)
    assert GENERIC in error_text(response)


def test_the_next_parameter_never_leads_off_site(am, password):
    assert attempt(Client(), am.email, password, next="https://evil.example/")["Location"] == "/"
    assert attempt(Client(), am.email, password, next="/accounts/")["Location"] == "/accounts/"


def test_logging_in_puts_the_users_language_into_the_session(am, password):
    am.language = "de"
    am.save()
    client = Client()
    attempt(client, am.email, password)
    assert client.session["tandem_language"] == "de"
    assert 'lang="de"' in client.get("/").content.decode()


def test_two_factor_login_needs_a_fresh_code_and_refuses_a_replay(am, password):
    totp = enrol(am)
    client = Client()
    response = attempt(client, am.email, password)
    assert response["Location"] == "/login/verify/"
    assert "_auth_user_id" not in client.session  # not logged in before the code
    assert client.get("/").status_code == 302
    code = totp.now()
    assert client.post("/login/verify/", {"code": code})["Location"] == "/"
    assert "Adam AM" in client.get("/").content.decode()
    other = Client()
    attempt(other, am.email, password)
    replay = other.post("/login/verify/", {"code": code})
    assert replay.status_code == 200 and "not valid" in replay.content.decode()
    assert "_auth_user_id" not in other.session


def test_wrong_codes_lock_the_second_step_like_wrong_passwords(am, password, settings):
    settings.LOGIN_MAX_FAILURES = 3
    totp = enrol(am)
    client = Client()
    attempt(client, am.email, password)
    for _attempt in range(3):
        client.post("/login/verify/", {"code": "000000"})
    assert LoginAttempt.objects.filter(email=am.email, succeeded=False).count() == 3
    assert client.post("/login/verify/", {"code": totp.now()}).status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_pending_second_step_expires(am, password):
    totp = enrol(am)
    client = Client()
    attempt(client, am.email, password)
    session = client.session
    session[PENDING_SINCE_KEY] = session[PENDING_SINCE_KEY] - 6 * 60
    session.save()
    assert client.post("/login/verify/", {"code": totp.now()})["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_the_second_step_cannot_be_opened_without_a_password_first(db):
    assert Client().get("/login/verify/")["Location"] == "/login/"


def test_a_user_enrols_with_the_qr_code_and_a_first_code(am):
    client = logged_in(am)
    page = client.get("/me/two-factor/").content.decode()
    assert "<svg" in page and "http" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org", "")
    device = TotpDevice.objects.get(user=am)
    assert device.secret in page and not device.is_confirmed
    assert client.post("/me/two-factor/", {"code": "123456"}).status_code == 200
    assert not TotpDevice.objects.get(user=am).is_confirmed
    client.post("/me/two-factor/", {"code": pyotp.TOTP(device.secret).now()})
    assert TotpDevice.objects.get(user=am).is_confirmed
    assert AuditEntry.objects.filter(action="security", object_id=str(am.pk),
                                     summary="Two-factor authentication enabled").exists()


def test_turning_two_factor_off_needs_the_password_and_a_code(am, password):
    totp = enrol(am)
    client = logged_in(am)
    wrong_password = client.post("/me/two-factor/", {"password": "wrong", "code": totp.now()})
    assert wrong_password.status_code == 200 and TotpDevice.objects.filter(user=am).exists()
    TotpDevice.objects.filter(user=am).update(last_used_step=0)
    assert client.post("/me/two-factor/", {"password": password, "code": "000000"}).status_code == 200
    assert TotpDevice.objects.filter(user=am).exists()
    client.post("/me/two-factor/", {"password": password, "code": totp.now()})
    assert not TotpDevice.objects.filter(user=am).exists()
    assert AuditEntry.objects.filter(action="security", object_id=str(am.pk),
                                     summary="Two-factor authentication disabled").exists()


def test_a_role_that_requires_two_factor_forces_enrolment(csm):
    Role.objects.filter(code="csm").update(requires_two_factor=True)
    client = logged_in(csm)
    response = client.get("/accounts/")
    assert response.status_code == 302 and response["Location"] == "/me/two-factor/?next=%2Faccounts%2F"
    assert "<svg" in client.get("/me/two-factor/").content.decode()
    assert client.get("/api/v1/me").status_code == 200  # the API and logout stay reachable
    device = TotpDevice.objects.get(user=csm)
    done = client.post("/me/two-factor/?next=/accounts/", {"code": pyotp.TOTP(device.secret).now(),
                                                          "next": "/accounts/"})
    assert done["Location"] == "/accounts/"
    assert client.get("/accounts/").status_code == 200


def test_enrolment_never_redirects_off_site(am):
    client = logged_in(am)
    client.get("/me/two-factor/")
    device = TotpDevice.objects.get(user=am)
    done = client.post("/me/two-factor/", {"code": pyotp.TOTP(device.secret).now(), "next": "//evil.example/"})
    assert done["Location"] == "/"


@pytest.mark.parametrize("path", ["/logout/"])
def test_a_user_forced_to_enrol_can_still_log_out(csm, path):
    Role.objects.filter(code="csm").update(requires_two_factor=True)
    client = logged_in(csm)
    assert client.post(path)["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
