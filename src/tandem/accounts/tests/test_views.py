from __future__ import annotations

from tandem.accounts.models import Account
from tandem.core.testing.factories import AccountFactory, UserFactory
from tandem.core.testing.fixtures import bearer_for, logged_in


def test_an_am_creates_an_account_with_a_parent_through_the_form(am):
    parent = AccountFactory(name="Müller Holding", owner=am)
    response = logged_in(am).post("/accounts/new/", {
        "name": "Müller Logistik", "domain": "mueller-logistik.de", "country": "DE", "currency": "EUR",
        "tier": "mid_touch", "lifecycle_stage": "onboarding", "parent": parent.public_id,
        "other_domains": "mueller.example, ml.example", "status_flags": ["vip"],
    })
    child = Account.objects.get(name="Müller Logistik")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/{child.public_id}/"
    assert (child.parent, child.other_domains, child.status_flags) == (parent, ["ml.example", "mueller.example"],
                                                                       ["vip"])
    page = logged_in(am).get(f"/accounts/{parent.public_id}/").content.decode()
    assert "Müller Logistik" in page  # listed among the children


def test_the_form_shows_field_errors_and_keeps_the_input(am):
    response = logged_in(am).post("/accounts/new/", {"name": "Typo Corp", "country": "Germany", "currency": "EUR",
                                                     "tier": "mid_touch", "lifecycle_stage": "onboarding"})
    assert response.status_code == 200
    assert "Typo Corp" in response.content.decode()
    assert "errorlist" in response.content.decode()
    assert not Account.objects.filter(name="Typo Corp").exists()


def test_the_list_filters_by_tier_and_stage(admin):
    AccountFactory(name="Alpha", tier="high_touch", lifecycle_stage="at_risk")
    AccountFactory(name="Beta", tier="high_touch", lifecycle_stage="mature")
    AccountFactory(name="Gamma", tier="tech_touch", lifecycle_stage="at_risk")
    page = logged_in(admin).get("/accounts/?tier=high_touch&stage=at_risk").content.decode()
    assert "Alpha" in page and "Beta" not in page and "Gamma" not in page


def test_the_api_filters_and_creates_with_the_new_fields(admin, client):
    headers = bearer_for(admin, ["accounts:read", "accounts:write"])
    created = client.post("/api/v1/accounts", {"name": "Seoul Cloud", "country": "KR", "currency": "KRW",
                                                "tier": "high_touch", "lifecycle_stage": "trial"},
                          content_type="application/json", **headers)
    assert created.status_code == 201, created.content
    AccountFactory(name="Other", tier="tech_touch")
    listed = client.get("/api/v1/accounts?tier=high_touch&lifecycle_stage=trial", **headers).json()
    assert [item["name"] for item in listed["items"]] == ["Seoul Cloud"]


def test_the_api_rejects_an_unknown_tier_with_the_field_path(admin, client):
    response = client.post("/api/v1/accounts", {"name": "X", "tier": "gold"}, content_type="application/json",
                           **bearer_for(admin, ["accounts:write"]))
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["tier"]


def test_account_lookup_suggests_only_visible_accounts(csm):
    AccountFactory(name="Visible Widget Co", owner=csm)
    AccountFactory(name="Invisible Widget Co")
    html = logged_in(csm).get("/accounts/lookup/?q=Widget").content.decode()
    assert "Visible Widget Co" in html and "Invisible" not in html


def test_columns_sort_and_saved_views_on_the_account_list(manager):
    from tandem.accounts.models import SavedView
    from tandem.core.testing.factories import TeamFactory

    team = TeamFactory(name="EMEA", manager=manager)
    AccountFactory(name="Zeta", country="DE", owner=manager)
    AccountFactory(name="Alpha", country="KR", owner=manager)
    client = logged_in(manager)
    page = client.get("/accounts/?columns=country,industry&sort=-name").content.decode()
    assert page.index("Zeta") < page.index("Alpha")
    assert "<th scope=\"col\">Country</th>" in page and "<th scope=\"col\">Tier</th>" not in page
    client.post("/accounts/views/account/save/", {"name": "German accounts", "query": "q=&columns=country&tier=",
                                                  "team": str(team.pk)})
    view = SavedView.objects.get(name="German accounts")
    assert (view.team, view.query) == (team, "columns=country")  # empty parameters are dropped
    member = UserFactory(roles=["am"])
    team.members.add(member)
    assert "German accounts" in logged_in(member).get("/accounts/").content.decode()
    assert "German accounts" not in logged_in(UserFactory(roles=["am"])).get("/accounts/").content.decode()
