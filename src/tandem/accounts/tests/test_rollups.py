"""Roll-ups to the parent: figures over the whole visible hierarchy, never counting what the actor cannot see."""

from __future__ import annotations

import pytest

from tandem.accounts.rollups import account_rollup
from tandem.contacts.models import Contact
from tandem.core.testing.factories import AccountFactory, assign
from tandem.core.testing.fixtures import bearer_for, logged_in


@pytest.fixture
def group(am, csm):
    """Holding → (Europe → Berlin), (Asia, which the CSM does not work on)."""
    holding = AccountFactory(name="Holding", owner=am, lifecycle_stage="mature", tier="high_touch")
    europe = AccountFactory(name="Europe", owner=am, parent=holding, lifecycle_stage="adopting", tier="high_touch")
    berlin = AccountFactory(name="Berlin", owner=am, parent=europe, lifecycle_stage="adopting", tier="mid_touch")
    asia = AccountFactory(name="Asia", owner=am, parent=holding, lifecycle_stage="at_risk", tier="tech_touch")
    for account, people in ((holding, 1), (europe, 2), (berlin, 3), (asia, 4)):
        for n in range(people):
            Contact.objects.create(first_name=f"P{n}", last_name=account.name, account=account)
    for account in (holding, europe, berlin):
        assign(account, csm, "csm")
    return {"holding": holding, "europe": europe, "berlin": berlin, "asia": asia}


def test_the_parent_rolls_up_every_level_below_it(am, group):
    rollup = account_rollup(actor=am, account=group["holding"])
    assert (len(rollup.account_ids), rollup.descendants) == (4, 3)
    assert dict((key, value) for key, _label, value in rollup.metrics)["contacts"] == 10
    assert [(code, count) for code, _label, count in rollup.stages] == [("adopting", 2), ("mature", 1),
                                                                         ("at_risk", 1)]
    assert [(code, count) for code, _label, count in rollup.tiers] == [("high_touch", 2), ("mid_touch", 1),
                                                                        ("tech_touch", 1)]
    middle = account_rollup(actor=am, account=group["europe"])
    assert middle.descendants == 1 and dict((k, v) for k, _l, v in middle.metrics)["contacts"] == 5


def test_a_hidden_child_is_not_counted(csm, group):
    rollup = account_rollup(actor=csm, account=group["holding"])
    assert rollup.descendants == 2
    assert dict((key, value) for key, _label, value in rollup.metrics)["contacts"] == 6
    assert "at_risk" not in [code for code, _label, _count in rollup.stages]


def test_the_account_page_and_the_api_show_the_rollup(am, csm, group, client):
    page = logged_in(am).get(f"/accounts/{group['holding'].public_id}/").content.decode()
    assert 'data-rollup="accounts">4' in page and 'data-rollup="contacts">10<' in page
    assert 'data-rollup-stage="at_risk"' in page
    leaf = logged_in(am).get(f"/accounts/{group['berlin'].public_id}/").content.decode()
    assert "data-rollup=" not in leaf  # no children: no roll-up
    response = client.get(f"/api/v1/accounts/{group['holding'].public_id}/rollup",
                          **bearer_for(csm, ["accounts:read"]))
    assert response.status_code == 200
    body = response.json()
    assert (body["accounts"], body["descendants"]) == (3, 2)
    assert {m["key"]: m["value"] for m in body["metrics"]}["contacts"] == 6  # later apps add their own figures
    hidden = client.get(f"/api/v1/accounts/{group['asia'].public_id}/rollup",
                        **bearer_for(csm, ["accounts:read"]))
    assert hidden.status_code == 404


def test_the_child_list_link_filters_the_account_list_by_parent(am, group):
    page = logged_in(am).get(f"/accounts/?parent={group['holding'].public_id}").content.decode()
    assert "Europe" in page and "Asia" in page and "Berlin" not in page
