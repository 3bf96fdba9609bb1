"""The default policy for accounts, role by role, asserted through can() and through restrict() (SQL) so the
two can never disagree."""

from __future__ import annotations

import pytest

from tandem.access.decide import can, field_access, restrict
from tandem.accounts.models import Account
from tandem.core.testing.factories import AccountFactory, TeamFactory, UserFactory, assign

ROLES = ["administrator", "manager", "am", "csm", "renewal", "implementation", "sdr", "ae", "support_tier1",
         "support_tier2", "viewer", None]
ACTIONS = ["view", "create", "change", "delete", "export"]

# role -> action -> the relations that grant it (own: owner or on the account team; team: a teammate owns it;
# other: unrelated). "create" is checked without a record.
EXPECTED = {
    "administrator": {"view": "own team other", "create": "yes", "change": "own team other",
                      "delete": "own team other", "export": "own team other"},
    "manager": {"view": "own team", "create": "yes", "change": "own team", "delete": "own team", "export": "own team"},
    "am": {"view": "own", "create": "yes", "change": "own", "delete": "", "export": "own"},
    "csm": {"view": "own", "create": "", "change": "own", "delete": "", "export": "own"},
    "renewal": {"view": "own", "create": "", "change": "own", "delete": "", "export": "own"},
    "implementation": {"view": "own", "create": "", "change": "own", "delete": "", "export": "own"},
    "sdr": {"view": "own", "create": "yes", "change": "own", "delete": "", "export": ""},
    "ae": {"view": "own", "create": "yes", "change": "own", "delete": "", "export": "own"},
    "support_tier1": {"view": "own team other", "create": "", "change": "", "delete": "", "export": ""},
    "support_tier2": {"view": "own team other", "create": "", "change": "", "delete": "", "export": ""},
    "viewer": {"view": "own team other", "create": "", "change": "", "delete": "", "export": "own team other"},
    None: {action: "" for action in ACTIONS},
}


SEAT_ROLES = {"am", "csm", "renewal", "implementation", "sdr", "ae", "manager", "support_tier1", "support_tier2"}
NAMES = {"own": "owned", "team": "team", "other": "other"}


@pytest.fixture
def world(db):
    def build(role):
        user = UserFactory(roles=[role] if role else [])
        teammate = UserFactory(roles=["am"])
        TeamFactory().members.add(user, teammate)
        accounts = {
            "own": AccountFactory(name="owned", owner=user),
            "team": AccountFactory(name="team", owner=teammate),
            "other": AccountFactory(name="other", owner=UserFactory(roles=["am"])),
            "staffed": AccountFactory(name="staffed"),
        }
        if role in SEAT_ROLES:
            assign(accounts["staffed"], user, role)  # holding a seat on the account team counts as "own"
        return user, accounts
    return build


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_the_default_account_policy(world, role, action):
    user, accounts = world(role)
    expected = EXPECTED[role][action]
    if action == "create":
        assert can(user, action, resource="account") == (expected == "yes")
        return
    allowed = set(expected.split())
    visible = set(restrict(Account.objects.all(), user, action).values_list("name", flat=True))
    for relation in ("own", "team", "other"):
        assert can(user, action, accounts[relation]) == (relation in allowed), (role, action, relation)
        assert (NAMES[relation] in visible) == (relation in allowed), (role, action, relation)
    staffed = ("own" in allowed) if role in SEAT_ROLES else ("other" in allowed)
    assert can(user, action, accounts["staffed"]) == staffed
    assert ("staffed" in visible) == staffed


@pytest.mark.parametrize("role", [r for r in ROLES if r])
def test_only_money_roles_write_the_pricing_field_group(db, role):
    user = UserFactory(roles=[role])
    access = field_access(user, "account", "pricing")
    assert access.can_read is True
    assert access.can_write == (role in {"am", "renewal", "manager", "administrator"})
