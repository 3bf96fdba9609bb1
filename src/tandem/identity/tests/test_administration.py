"""Administration of users, teams and roles: who may open what, and every change audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from tandem.audit.models import AuditEntry
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.core.testing.factories import TeamFactory, UserFactory
from tandem.core.testing.fixtures import bearer_for, logged_in
from tandem.identity import services
from tandem.identity.models import ApiToken, Role, Team, TotpDevice, User


@pytest.mark.parametrize("url", ["/admin/users/", "/admin/teams/", "/admin/roles/"])
def test_users_without_any_administration_rights_get_404_on_the_administration_pages(csm, url):
    assert logged_in(csm).get(url).status_code == 404


def test_a_csm_gets_404_on_a_user_page_and_cannot_deactivate_anyone(csm, am):
    client = logged_in(csm)
    assert client.get(f"/admin/users/{am.public_id}/").status_code == 404
    assert client.post(f"/admin/users/{am.public_id}/deactivate/").status_code == 404
    am.refresh_from_db()
    assert am.is_active


def test_a_manager_sees_users_and_teams_but_gets_403_when_changing_them(manager, am):
    client = logged_in(manager)
    assert client.get("/admin/users/").status_code == 200
    assert client.get(f"/admin/users/{am.public_id}/").status_code == 200
    assert client.post(f"/admin/users/{am.public_id}/deactivate/").status_code == 403
    assert client.post(f"/admin/users/{am.public_id}/", {"roles": [Role.objects.get(code="administrator").pk]}
                       ).status_code == 403
    assert client.post("/admin/users/", {"full_name": "Eve", "email": "eve@example.test"}).status_code == 403
    team = TeamFactory(name="EMEA")
    assert client.post("/admin/teams/", {"name": "APAC"}).status_code == 403
    assert client.post(f"/admin/teams/{team.public_id}/delete/").status_code == 403
    am.refresh_from_db()
    assert am.is_active and list(am.roles.values_list("code", flat=True)) == ["am"]
    assert not User.objects.filter(email="eve@example.test").exists()
    assert list(Team.objects.values_list("name", flat=True)) == ["EMEA"]
    assert not AuditEntry.objects.exists()


def test_the_user_list_searches_and_filters_by_role_and_status(admin, am, csm):
    csm.is_active = False
    csm.save()
    client = logged_in(admin)

    def names(query: str) -> list[str]:
        html = client.get("/admin/users/" + query).content.decode()
        return [name for name in ("Alice Admin", "Adam AM", "Carla CSM") if f">{name}</a>" in html]

    assert names("") == ["Alice Admin", "Adam AM", "Carla CSM"]
    assert names("?q=carla") == ["Carla CSM"]
    assert names("?role=am") == ["Adam AM"]
    assert names("?state=inactive") == ["Carla CSM"]
    assert names("?state=active&role=csm") == []


def test_deactivating_a_user_ends_their_session_and_revokes_their_tokens_at_once(admin, am, client):
    session = logged_in(am)
    headers = bearer_for(am, ["accounts:read"])
    assert client.get("/api/v1/me", **headers).status_code == 200
    logged_in(admin).post(f"/admin/users/{am.public_id}/deactivate/")
    am.refresh_from_db()
    assert not am.is_active
    response = session.get("/accounts/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/api/v1/me", **headers).status_code == 401
    assert ApiToken.objects.get(user=am).revoked_at is not None
    entry = AuditEntry.objects.get(object_id=str(am.pk), action="change")
    assert entry.changes == {"is_active": [True, False]} and entry.summary == "Deactivated; 1 API tokens revoked"


def test_a_reactivated_user_logs_in_again_but_revoked_tokens_stay_revoked(admin, am, password, client):
    headers = bearer_for(am, ["accounts:read"])
    services.user_set_active(actor=admin, user=am, active=False)
    logged_in(admin).post(f"/admin/users/{am.public_id}/reactivate/")
    am.refresh_from_db()
    assert am.is_active
    assert Client().post("/login/", {"username": am.email, "password": password}).status_code == 302
    assert client.get("/api/v1/me", **headers).status_code == 401


def test_the_last_active_administrator_can_be_neither_demoted_nor_deactivated(admin):
    with pytest.raises(ValidationFailed):
        services.user_roles_set(actor=admin, user=admin, role_codes=["manager"])
    second = UserFactory(roles=["administrator"])
    with pytest.raises(ValidationFailed):
        services.user_set_active(actor=admin, user=admin, active=False)  # never yourself
    services.user_set_active(actor=admin, user=second, active=False)
    response = logged_in(admin).post(f"/admin/users/{admin.public_id}/", {
        "roles": [Role.objects.get(code="manager").pk]})
    assert response.status_code == 200 and "last active administrator" in response.content.decode()
    assert list(admin.roles.values_list("code", flat=True)) == ["administrator"]


def test_an_administrator_changes_roles_and_teams_with_before_and_after_in_the_audit_log(admin, am):
    team = TeamFactory(name="EMEA")
    logged_in(admin).post(f"/admin/users/{am.public_id}/", {
        "roles": [Role.objects.get(code="am").pk, Role.objects.get(code="renewal").pk], "teams": [team.pk]})
    assert sorted(am.roles.values_list("code", flat=True)) == ["am", "renewal"]
    assert list(am.teams.values_list("name", flat=True)) == ["EMEA"]
    changes = [entry.changes for entry in AuditEntry.objects.filter(object_id=str(am.pk), action="change")
               .order_by("id")]
    assert changes == [{"roles": [["am"], ["am", "renewal"]]}, {"teams": [[], ["EMEA"]]}]


def test_an_administrator_creates_edits_and_deletes_a_team_all_audited(admin, am, csm):
    client = logged_in(admin)
    client.post("/admin/teams/", {"name": "EMEA", "manager": am.pk, "members": [am.pk]})
    team = Team.objects.get(name="EMEA")
    assert team.manager == am and list(team.members.all()) == [am]
    created = AuditEntry.objects.get(object_id=str(team.pk), action="create")
    assert created.changes["name"] == [None, "EMEA"]
    client.post(f"/admin/teams/{team.public_id}/", {"name": "Europe", "manager": am.pk,
                                                    "members": [am.pk, csm.pk]})
    changed = AuditEntry.objects.get(object_id=str(team.pk), action="change")
    assert changed.changes == {"name": ["EMEA", "Europe"],
                               "members": [[am.email], sorted([am.email, csm.email])]}
    assert client.post("/admin/teams/", {"name": "europe"}).status_code == 200  # names are unique
    client.post(f"/admin/teams/{team.public_id}/delete/")
    assert not Team.objects.exists()
    deleted = AuditEntry.objects.get(object_id=str(team.pk), action="delete")
    assert deleted.changes["name"] == ["Europe", None]
    assert deleted.changes["members"] == [sorted([am.email, csm.email]), None]


def test_an_administrator_requires_two_factor_for_a_role_and_it_is_audited(admin, csm):
    client = logged_in(admin)
    page = client.get("/admin/roles/").content.decode()
    assert "Customer success manager" in page
    client.post("/admin/roles/", {"two_factor": ["csm"]})
    assert list(Role.objects.filter(requires_two_factor=True).values_list("code", flat=True)) == ["csm"]
    entry = AuditEntry.objects.get(action="change", object_id=str(Role.objects.get(code="csm").pk))
    assert entry.changes == {"requires_two_factor": [False, True]}
    assert logged_in(csm).get("/").status_code == 302


def test_a_manager_sees_the_roles_page_only_if_the_policy_lets_them(manager):
    assert logged_in(manager).get("/admin/roles/").status_code == 404
    assert logged_in(manager).post("/admin/roles/", {"two_factor": ["am"]}).status_code == 404
    assert not Role.objects.filter(requires_two_factor=True).exists()


def test_an_administrator_revokes_someone_elses_token_from_their_page(admin, am, client):
    headers = bearer_for(am, ["accounts:read"])
    token = ApiToken.objects.get(user=am)
    page = logged_in(admin).get(f"/admin/users/{am.public_id}/").content.decode()
    assert token.prefix in page
    response = logged_in(admin).post(f"/me/tokens/{token.public_id}/revoke/",
                                     {"next": f"/admin/users/{am.public_id}/"})
    assert response["Location"] == f"/admin/users/{am.public_id}/"
    assert client.get("/api/v1/me", **headers).status_code == 401


def test_an_administrator_resets_a_lost_authenticator(admin, am):
    device = services.totp_enrol_start(user=am)
    device.confirmed_at = device.created_at
    device.save()
    logged_in(admin).post(f"/admin/users/{am.public_id}/reset-two-factor/")
    assert not TotpDevice.objects.filter(user=am).exists()
    assert AuditEntry.objects.filter(object_id=str(am.pk), action="security", actor=admin,
                                     summary="Two-factor authentication disabled").exists()


def test_an_unknown_user_action_is_404(admin, am):
    assert logged_in(admin).post(f"/admin/users/{am.public_id}/promote/").status_code == 404


def test_the_team_page_shows_a_form_to_administrators_and_facts_to_managers(admin, manager, am):
    team = TeamFactory(name="EMEA", manager=am)
    team.members.set([am])
    admin_page = logged_in(admin).get(f"/admin/teams/{team.public_id}/").content.decode()
    assert 'name="members"' in admin_page and "Delete team" in admin_page
    manager_page = logged_in(manager).get(f"/admin/teams/{team.public_id}/").content.decode()
    assert 'name="members"' not in manager_page and "Delete team" not in manager_page
    assert "Adam AM" in manager_page
    assert logged_in(manager).get("/admin/teams/missing/").status_code == 404


def test_service_errors_are_translated_into_the_active_language(admin, am):
    with translation.override("de"), pytest.raises(ValidationFailed) as error:
        services.user_roles_set(actor=admin, user=am, role_codes=["astronaut"])
    assert (error.value.message, error.value.errors) == ("Unbekannte Rollen.",
                                                         {"roles": ["Unbekannte Rolle: astronaut"]})
    with translation.override("de"), pytest.raises(PermissionDenied) as refused:
        services.user_create(actor=am, email="new@example.test", full_name="New")
    assert refused.value.message == "Sie dürfen keine Benutzer anlegen."
