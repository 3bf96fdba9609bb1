"""Password change, reset by email, invitations and the profile page."""

from __future__ import annotations

import datetime
import re

from django.core import mail
from django.test import Client

from tandem.audit.models import AuditEntry
from tandem.core.testing.fixtures import logged_in
from tandem.identity.models import Role, User
from tandem.identity.tokens import invitation_token_generator

NEW_PASSWORD = "a new Passw0rd for Tandem"


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def choose_password(client: Client, link: str, new: str = NEW_PASSWORD):
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    return client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})


def test_changing_the_password_needs_the_old_one(am, password):
    client = logged_in(am)
    refused = client.post("/me/password/", {"old_password": "wrong", "new_password1": NEW_PASSWORD,
                                            "new_password2": NEW_PASSWORD})
    assert refused.status_code == 200
    am.refresh_from_db()
    assert am.check_password(password)
    assert not AuditEntry.objects.filter(object_id=str(am.pk), summary="Password changed").exists()


def test_changing_the_password_keeps_this_session_ends_the_others_and_is_audited(am, password):
    client, other_session = logged_in(am), logged_in(am)
    response = client.post("/me/password/", {"old_password": password, "new_password1": NEW_PASSWORD,
                                              "new_password2": NEW_PASSWORD})
    assert response["Location"] == "/me/profile/"
    am.refresh_from_db()
    assert am.check_password(NEW_PASSWORD)
    assert client.get("/").status_code == 200
    assert other_session.get("/").status_code == 302
    entry = AuditEntry.objects.get(object_id=str(am.pk), summary="Password changed")
    assert entry.action == "security" and entry.actor_id == am.pk


def test_a_weak_new_password_is_refused(am, password):
    response = logged_in(am).post("/me/password/", {"old_password": password, "new_password1": "short",
                                                    "new_password2": "short"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    am.refresh_from_db()
    assert am.check_password(password)


def test_password_reset_sends_a_working_link_and_answers_the_same_for_unknown_emails(am):
    client = Client()
    known = client.post("/password-reset/", {"email": am.email})
    unknown = client.post("/password-reset/", {"email": "ghost@example.test"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/password-reset/sent/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [am.email]
    link = link_in(mail.outbox[0])
    assert choose_password(client, link)["Location"] == "/password-reset/done/"
    am.refresh_from_db()
    assert am.check_password(NEW_PASSWORD)
    assert AuditEntry.objects.filter(object_id=str(am.pk), action="security",
                                     summary="Password reset through an emailed link").exists()
    again = client.get(link, follow=True)
    assert "no longer valid" in again.content.decode()  # single use


def test_a_deactivated_user_gets_no_reset_email(am):
    am.is_active = False
    am.save()
    Client().post("/password-reset/", {"email": am.email})
    assert mail.outbox == []


def test_an_administrator_invites_a_user_who_chooses_a_password_and_logs_in(
        admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(admin).post("/admin/users/", {
            "full_name": "Nina New", "email": "Nina@Example.test", "roles": [Role.objects.get(code="csm").pk]})
    nina = User.objects.get(email="nina@example.test")
    assert response["Location"] == f"/admin/users/{nina.public_id}/"
    assert not nina.has_usable_password()
    assert list(nina.roles.values_list("code", flat=True)) == ["csm"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nina@example.test"]
    assert "Alice Admin" in mail.outbox[0].body and "3 days" in mail.outbox[0].body
    link = link_in(mail.outbox[0])
    assert link.startswith("/invitation/")
    client = Client()
    assert choose_password(client, link)["Location"] == "/password-reset/done/"
    assert client.post("/login/", {"username": "nina@example.test", "password": NEW_PASSWORD}).status_code == 302
    created = AuditEntry.objects.get(object_id=str(nina.pk), action="create")
    assert created.changes["email"] == [None, "nina@example.test"] and created.actor_id == admin.pk


def test_an_invitation_link_expires_after_three_days(admin, monkeypatch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        logged_in(admin).post("/admin/users/", {"full_name": "Nina New", "email": "nina@example.test"})
    link = link_in(mail.outbox[0])
    later = datetime.datetime.now() + datetime.timedelta(days=3, hours=1)
    monkeypatch.setattr(invitation_token_generator, "_now", lambda: later)  # the clock is the boundary
    page = Client().get(link, follow=True).content.decode()
    assert "no longer valid" in page


def test_a_password_reset_token_is_not_accepted_as_an_invitation(am):
    Client().post("/password-reset/", {"email": am.email})
    reset_link = link_in(mail.outbox[0])
    invitation_link = reset_link.replace("/password-reset/", "/invitation/")
    assert "no longer valid" in Client().get(invitation_link, follow=True).content.decode()


def test_an_invited_user_who_lost_the_link_can_use_forgot_password(admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        logged_in(admin).post("/admin/users/", {"full_name": "Nina New", "email": "nina@example.test"})
    Client().post("/password-reset/", {"email": "nina@example.test"})
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["nina@example.test"]


def test_an_administrator_resends_an_invitation_but_not_to_someone_already_set_up(
        admin, am, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        logged_in(admin).post("/admin/users/", {"full_name": "Nina New", "email": "nina@example.test"})
    nina = User.objects.get(email="nina@example.test")
    client = logged_in(admin)
    client.post(f"/admin/users/{nina.public_id}/resend-invitation/")
    assert len(mail.outbox) == 2
    client.post(f"/admin/users/{am.public_id}/resend-invitation/")
    assert len(mail.outbox) == 2


def test_inviting_an_email_already_in_use_shows_the_error_and_sends_nothing(
        admin, am, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(admin).post("/admin/users/", {"full_name": "Adam Again", "email": am.email})
    assert response.status_code == 200 and "Already in use." in response.content.decode()
    assert mail.outbox == [] and User.objects.filter(email=am.email).count() == 1


def test_the_profile_saves_name_time_zone_and_language_and_switches_the_session_language(am):
    client = logged_in(am)
    response = client.post("/me/profile/", {"full_name": "Adam Example", "time_zone": "Europe/Berlin",
                                            "language": "de"})
    assert response["Location"] == "/me/profile/"
    am.refresh_from_db()
    assert (am.full_name, am.time_zone, am.language) == ("Adam Example", "Europe/Berlin", "de")
    assert client.session["tandem_language"] == "de"
    entry = AuditEntry.objects.get(object_id=str(am.pk), action="change")
    assert entry.changes == {"full_name": ["Adam AM", "Adam Example"], "language": ["", "de"],
                             "time_zone": ["UTC", "Europe/Berlin"]}
    client.post("/me/profile/", {"full_name": "Adam Example", "time_zone": "Europe/Berlin", "language": ""})
    assert "tandem_language" not in client.session


def test_the_profile_refuses_an_unknown_time_zone_and_language(am):
    response = logged_in(am).post("/me/profile/", {"full_name": "Adam", "time_zone": "Mars/Olympus",
                                                   "language": "xx"})
    assert response.status_code == 200
    am.refresh_from_db()
    assert (am.full_name, am.time_zone, am.language) == ("Adam AM", "UTC", "")
