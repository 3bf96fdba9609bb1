"""The default policy for accounts, role by role and relation by relation, asserted three ways — can(),
restrict() (SQL) and explain() — so they can never disagree; plus the pricing field group, and policy edits
taking effect at once."""

from __future__ import annotations

import pytest

from tandem.access.decide import can, explain, field_access, restrict
from tandem.access.models import Permission
from tandem.access.services import RuleChange, policy_set
from tandem.accounts.models import Account
from tandem.audit.models import AuditEntry
from tandem.core.exceptions import PermissionDenied
from tandem.core.testing.factories import AccountFactory, TeamFactory, UserFactory, assign
from tandem.core.testing.fixtures import logged_in

ROLES = ["administrator", "manager", "am", "csm", "renewal", "implementation", "sdr", "ae", "support_tier1",
         "support_tier2", "viewer", None]
ACTIONS = ["view", "create", "change", "delete", "export"]

# The default policy for accounts, written out by hand (not read from the database): role -> action -> scope.
OWN_WORK = {"view": "own", "change": "own", "export": "own"}
EXPECTED_SCOPE: dict[str | None, dict[str, str]] = {
    "administrator": {action: "all" for action in ACTIONS},
    "manager": {"view": "team", "create": "all", "change": "team", "delete": "team", "export": "team"},
    "am": {**OWN_WORK, "create": "all"},
    "csm": OWN_WORK,
    "renewal": OWN_WORK,
    "implementation": OWN_WORK,
    "sdr": {"view": "own", "create": "all", "change": "own"},
    "ae": {**OWN_WORK, "create": "all"},
    "support_tier1": {"view": "all"},
    "support_tier2": {"view": "all"},
    "viewer": {"view": "all", "export": "all"},
    None: {},
}

# How the user relates to each account, and the narrowest scope that reaches it (own: the user owns it or
# holds a seat on its account team; team: it is assigned to one of the user's teams, or a teammate owns it or
# holds a seat on it; all: anything else).
RELATIONS = {
    "owned": "own",
    "on the account team": "own",
    "assigned to the user's team": "team",
    "owned by a teammate": "team",
    "staffed by a teammate": "team",
    "unrelated": "all",
}
REACH = {"own": {"own"}, "team": {"own", "team"}, "all": {"own", "team", "all"}}


def _person(roles: list[str]) -> object:
    return UserFactory(password=None, roles=roles)  # no password hashing: these users never log in


def _world(role: str | None) -> tuple[object, dict[str, Account]]:
    user = _person([role] if role else [])
    teammate = _person(["am"])
    team = TeamFactory()
    team.members.add(user, teammate)
    accounts = {
        "owned": AccountFactory(name="owned", owner=user),
        "on the account team": AccountFactory(name="on the account team", owner=_person(["am"])),
        "assigned to the user's team": AccountFactory(name="assigned to the user's team", team=team),
        "owned by a teammate": AccountFactory(name="owned by a teammate", owner=teammate),
        "staffed by a teammate": AccountFactory(name="staffed by a teammate"),
        "unrelated": AccountFactory(name="unrelated", owner=_person(["am"]), team=TeamFactory()),
    }
    assign(accounts["on the account team"], user, "csm")
    assign(accounts["staffed by a teammate"], teammate, "am")
    return user, accounts


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "no-role")
@pytest.mark.parametrize("action", ACTIONS)
def test_the_default_account_policy(db, role, action):
    user, accounts = _world(role)
    scope = EXPECTED_SCOPE[role].get(action)
    if action == "create":
        assert can(user, action, resource="account") is (scope is not None)
        return
    expected = {name for name, needed in RELATIONS.items() if scope and needed in REACH[scope]}
    by_can = {name for name, account in accounts.items() if can(user, action, account)}
    by_sql = set(restrict(Account.objects.filter(pk__in=[a.pk for a in accounts.values()]), user, action)
                 .values_list("name", flat=True))
    by_explain = {name for name, account in accounts.items()
                  if {item.action: item.allowed for item in explain(user, account)}[action]}
    assert by_can == expected, (role, action)
    assert by_sql == expected, (role, action)
    assert by_explain == expected, (role, action)


def test_a_team_manager_reaches_the_accounts_of_the_team_they_manage(db):
    mona = _person(["manager"])
    member = _person(["csm"])
    team = TeamFactory(manager=mona)
    team.members.add(member)
    theirs = AccountFactory(name="theirs", owner=member)
    assigned = AccountFactory(name="assigned", team=team)
    elsewhere = AccountFactory(name="elsewhere")
    assert [can(mona, "change", account) for account in (theirs, assigned, elsewhere)] == [True, True, False]
    assert set(restrict(Account.objects.all(), mona, "change").values_list("name", flat=True)) == {
        "theirs", "assigned"}


@pytest.mark.parametrize("role", [role for role in ROLES if role])
def test_only_money_roles_write_the_pricing_field_group(db, role):
    access = field_access(_person([role]), "account", "pricing")
    assert access.can_read is True
    assert access.can_write is (role in {"am", "renewal", "manager", "administrator"})


def test_a_user_without_roles_neither_reads_nor_writes_pricing(db):
    access = field_access(_person([]), "account", "pricing")
    assert (access.can_read, access.can_write) == (False, False)


def test_an_edit_in_the_policy_editor_changes_what_a_csm_sees_immediately(admin, csm):
    AccountFactory(name="Far away")
    mine = AccountFactory(name="Mine")
    assign(mine, csm, "csm")
    carla = logged_in(csm)
    assert [item["name"] for item in carla.get("/api/v1/accounts").json()["items"]] == ["Mine"]
    editor = logged_in(admin)
    form = {"rule-csm-account-view": "all", "was-rule-csm-account-view": "own"}
    assert editor.post("/admin/permissions/", form).status_code == 302
    assert [item["name"] for item in carla.get("/api/v1/accounts").json()["items"]] == ["Far away", "Mine"]
    assert "Far away" in carla.get("/accounts/").content.decode()
    form = {"rule-csm-account-view": "own", "was-rule-csm-account-view": "all"}
    assert editor.post("/admin/permissions/", form).status_code == 302
    assert [item["name"] for item in carla.get("/api/v1/accounts").json()["items"]] == ["Mine"]
    assert AuditEntry.objects.filter(content_type__model="permission").count() == 2


def test_removing_a_rule_in_the_editor_denies_at_once_and_explain_says_so(admin, csm):
    mine = AccountFactory(name="Mine")
    assign(mine, csm, "csm")
    response = logged_in(admin).post("/admin/permissions/", {"rule-csm-account-change": "",
                                                             "was-rule-csm-account-change": "own"})
    assert response.status_code == 302
    refused = logged_in(csm).patch(f"/api/v1/accounts/{mine.public_id}", {"name": "Renamed"},
                                   content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" not in refused.json()["detail"]
    mine.refresh_from_db()
    assert mine.name == "Mine"
    change = {item.action: item for item in explain(csm, mine)}["change"]
    assert (change.allowed, change.reason) == (
        False, "None of the user's roles allows “Change” on accounts.")


def test_a_denied_policy_edit_changes_nothing(csm, manager):
    before = list(Permission.objects.values_list("role__code", "resource", "action", "scope").order_by("id"))
    with pytest.raises(PermissionDenied):
        policy_set(actor=manager, rules=[RuleChange("csm", "account", "view", "all")])
    assert logged_in(csm).post("/admin/permissions/", {"rule-csm-account-view": "all",
                                                       "was-rule-csm-account-view": "own"}).status_code == 404
    assert list(Permission.objects.values_list("role__code", "resource", "action", "scope").order_by("id")) == before
    assert not AuditEntry.objects.exists()
