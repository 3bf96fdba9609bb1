from __future__ import annotations

import pytest

from tandem.accounts import team
from tandem.accounts.models import AccountTeamChange, AccountTeamMember
from tandem.audit.models import AuditEntry
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.core.testing.factories import AccountFactory, UserFactory, assign
from tandem.core.testing.fixtures import bearer_for, logged_in


def test_assigning_a_csm_records_history_and_audit(am, csm):
    account = AccountFactory(owner=am)
    assert team.account_team_assign(actor=am, account=account, role_code="csm", user=csm) is True
    other = UserFactory(full_name="Chris CSM", roles=["csm"])
    team.account_team_assign(actor=am, account=account, role_code="csm", user=other, reason="Carla moves to EMEA")
    assert AccountTeamMember.objects.get(account=account, role__code="csm").user == other
    history = list(AccountTeamChange.objects.filter(account=account).order_by("id")
                   .values_list("from_user__full_name", "to_user__full_name"))
    assert history == [(None, "Carla CSM"), ("Carla CSM", "Chris CSM")]
    entry = AuditEntry.objects.filter(object_id=str(account.pk), summary="Carla moves to EMEA").get()
    assert entry.changes == {"team.csm": ["Carla CSM", "Chris CSM"]}


def test_a_user_without_the_role_cannot_take_the_seat(am):
    account = AccountFactory(owner=am)
    with pytest.raises(ValidationFailed):
        team.account_team_assign(actor=am, account=account, role_code="csm", user=am)
    assert not AccountTeamMember.objects.filter(account=account).exists()


def test_bulk_reassignment_moves_every_account_evenly_in_one_step(admin, csm):
    accounts = [AccountFactory(name=f"Account {n:03d}") for n in range(120)]
    for account in accounts:
        assign(account, csm, "csm")
    first = UserFactory(full_name="Cleo CSM", email="cleo@example.test", roles=["csm"])
    second = UserFactory(full_name="Cory CSM", email="cory@example.test", roles=["csm"])
    result = team.account_team_bulk_reassign(actor=admin, from_user=csm, role_code="csm", to_users=[first, second],
                                             reason="Carla left")
    assert result.moved == 120
    assert result.per_user == {"cleo@example.test": 60, "cory@example.test": 60}
    assert not AccountTeamMember.objects.filter(user=csm).exists()
    assert AccountTeamChange.objects.filter(from_user=csm, reason="Carla left").count() == 120


def test_bulk_reassignment_is_all_or_nothing_when_some_accounts_are_out_of_scope(am, csm):
    mine = AccountFactory(owner=am)
    not_mine = AccountFactory()
    assign(mine, csm, "csm")
    assign(not_mine, csm, "csm")
    colleague = UserFactory(roles=["csm"])
    with pytest.raises(PermissionDenied):
        team.account_team_bulk_reassign(actor=am, from_user=csm, role_code="csm", to_users=[colleague])
    assert AccountTeamMember.objects.filter(user=csm).count() == 2
    assert not AccountTeamChange.objects.exists()


def test_the_team_api_assigns_and_lists_seats(am, csm, client):
    account = AccountFactory(owner=am)
    headers = bearer_for(am, ["accounts:read", "accounts:write"])
    response = client.put(f"/api/v1/accounts/{account.public_id}/team/csm", {"user": csm.email},
                          content_type="application/json", **headers)
    assert response.status_code == 200, response.content
    assert [(seat["role"], seat["user"]["email"]) for seat in response.json()] == [("csm", csm.email)]


def test_the_reassign_page_previews_then_moves(manager, csm):
    account = AccountFactory(name="Preview GmbH", owner=manager)
    assign(account, csm, "csm")
    colleague = UserFactory(full_name="Cleo CSM", roles=["csm"])
    client = logged_in(UserFactory(roles=["administrator"]))
    form = {"from_user": csm.pk, "role": "csm", "to_users": [colleague.pk], "reason": "Leaving"}
    preview = client.post("/accounts/team/reassign/", form)
    assert "Preview GmbH" in preview.content.decode()
    assert AccountTeamMember.objects.get(account=account).user == csm
    client.post("/accounts/team/reassign/", {**form, "confirm": "1"})
    assert AccountTeamMember.objects.get(account=account).user == colleague


def test_a_csm_cannot_open_the_reassign_page(csm):
    assert logged_in(csm).get("/accounts/team/reassign/").status_code == 404


def test_the_inline_team_editor_saves_a_seat(am, csm):
    account = AccountFactory(owner=am)
    response = logged_in(am).post(f"/accounts/{account.public_id}/team/", {"seat-csm": str(csm.pk), "seat-am": ""})
    assert response.status_code == 302
    assert AccountTeamMember.objects.get(account=account, role__code="csm").user == csm
