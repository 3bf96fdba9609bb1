"""The deciding module: explain() agrees with can(), names the deciding rule, and fails closed."""

from __future__ import annotations

from tandem.access.decide import SYSTEM, can, explain, field_access
from tandem.core.testing.factories import AccountFactory, TeamFactory, UserFactory, assign


def _by_action(items):
    return {item.action: item for item in items}


def test_explain_names_the_role_and_scope_that_allow_a_record_on_the_users_account_team(db):
    carla = UserFactory(password=None, roles=["csm"])
    mine = AccountFactory(name="Mine")
    assign(mine, carla, "csm")
    view = _by_action(explain(carla, mine))["view"]
    assert (view.allowed, view.role_code, view.scope) == (True, "csm", "own")
    assert view.reason == ("Role “Customer success manager” allows “View” on the user's own accounts, "
                           "and this record is one of them.")


def test_explain_says_a_record_outside_the_scope_is_denied_and_by_which_rule(db):
    carla = UserFactory(password=None, roles=["csm"])
    other = AccountFactory(name="Other")
    view = _by_action(explain(carla, other))["view"]
    assert (view.allowed, view.role_code, view.scope) == (False, "csm", "own")
    assert view.reason == ("Role “Customer success manager” allows “View” only on the user's own accounts; "
                           "this record is outside that scope.")


def test_explain_says_when_no_role_grants_an_action(db):
    carla = UserFactory(password=None, roles=["csm"])
    delete = _by_action(explain(carla, AccountFactory()))["delete"]
    assert (delete.allowed, delete.role_code, delete.scope) == (False, None, None)
    assert delete.reason == "None of the user's roles allows “Delete” on accounts."


def test_explain_uses_the_widest_role_that_reaches_the_record(db):
    mona = UserFactory(password=None, roles=["csm", "manager"])
    teammate = UserFactory(password=None, roles=["am"])
    TeamFactory().members.add(mona, teammate)
    teams_account = AccountFactory(owner=teammate)
    own_account = AccountFactory()
    assign(own_account, mona, "csm")
    assert _by_action(explain(mona, teams_account))["view"].role_code == "manager"
    assert _by_action(explain(mona, own_account))["view"].scope == "team"
    assert _by_action(explain(mona, AccountFactory()))["view"].allowed is False


def test_explain_without_a_record_describes_the_reach(db):
    carla = UserFactory(password=None, roles=["csm"])
    admin = UserFactory(password=None, roles=["administrator"])
    assert _by_action(explain(carla, resource="account"))["view"].reason == (
        "Role “Customer success manager” allows “View” on the user's own accounts.")
    assert _by_action(explain(admin, resource="audit_log"))["export"].reason == (
        "Role “Administrator” allows “Export” on audit log.")


def test_a_deactivated_user_is_denied_everything_and_explain_says_why(db):
    former = UserFactory(password=None, roles=["administrator"], is_active=False)
    account = AccountFactory()
    assert can(former, "view", account) is False
    assert field_access(former, "account", "pricing").can_read is False
    assert {item.allowed for item in explain(former, account)} == {False}
    assert explain(former, account)[0].reason == "The user is deactivated, so every action is denied."


def test_the_system_actor_may_do_everything_and_explain_agrees(db):
    account = AccountFactory()
    assert can(SYSTEM, "delete", account) is True
    assert {item.allowed for item in explain(SYSTEM, account)} == {True}


def test_a_field_group_without_any_row_is_closed(db):
    carla = UserFactory(password=None, roles=["csm"])
    access = field_access(carla, "account", "secret_numbers")
    assert (access.can_read, access.can_write) == (False, False)
