"""The contact list: filters (built-in and custom fields), sorting, column choice and saved views."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.access.models import FieldGroupPermission
from tandem.accounts.models import Account, SavedView
from tandem.contacts import services
from tandem.core.testing.factories import AccountFactory, TeamFactory, UserFactory, assign
from tandem.core.testing.fixtures import bearer_for, logged_in
from tandem.customfields import services as field_services
from tandem.identity.models import Role


@pytest.fixture
def fields(admin):
    field_services.custom_field_create(actor=admin, resource="contact", key="region", label="Region",
                                       field_type="choice", choices=["EMEA", "APAC"])
    field_services.custom_field_create(actor=admin, resource="contact", key="seats", label="Seats",
                                       field_type="number")
    field_services.custom_field_create(actor=admin, resource="contact", key="salary", label="Salary band",
                                       field_type="text", field_group="hr")
    FieldGroupPermission.objects.create(role=Role.objects.get(code="administrator"), resource="contact",
                                        field_group="hr", can_read=True, can_write=True)


@pytest.fixture
def people(admin, am, csm, fields):
    """Three accounts: Adam owns Berlin and Seoul, Carla holds the CSM seat at Berlin only; Mona owns Lyon."""
    berlin = AccountFactory(name="Berlin Analytics", owner=am)
    seoul = AccountFactory(name="Seoul Cloud", owner=am)
    lyon = AccountFactory(name="Lyon Robotics", owner=UserFactory(email="mona.lyon@example.test"))
    assign(berlin, csm, "csm")
    rows = [("Vogel", berlin, "champion", "EMEA", 30), ("Kim", seoul, "user", "APAC", 10),
            ("Weber", berlin, "user", "EMEA", 20), ("Dupont", lyon, "champion", "EMEA", 40)]
    for last_name, account, role, region, seats in rows:
        services.contact_create(actor=admin, account=account, last_name=last_name, buying_role=role,
                                email=f"{last_name.lower()}@example.test",
                                custom={"region": region, "seats": seats, "salary": f"band {seats}"})


def _names(html: str) -> list[str]:
    order = [(html.find(f">{name}</a>"), name) for name in ("Vogel", "Kim", "Weber", "Dupont")]
    return [name for position, name in sorted(order) if position >= 0]


def test_the_list_filters_by_buying_role_account_owner_team_member_and_custom_field(admin, am, csm, people):
    client = logged_in(admin)
    assert _names(client.get("/contacts/?role=champion").content.decode()) == ["Dupont", "Vogel"]
    assert _names(client.get("/contacts/?cf_region=EMEA&role=user").content.decode()) == ["Weber"]
    assert _names(client.get("/contacts/?custom=region:APAC").content.decode()) == ["Kim"]
    assert _names(client.get(f"/contacts/?owner={am.email}").content.decode()) == ["Kim", "Vogel", "Weber"]
    assert _names(client.get(f"/contacts/?member={csm.email}").content.decode()) == ["Vogel", "Weber"]
    berlin = Account.objects.get(name="Berlin Analytics")
    page = client.get(f"/contacts/?account={berlin.public_id}").content.decode()
    assert _names(page) == ["Vogel", "Weber"] and "Account: Berlin Analytics" in page


def test_owner_me_means_whoever_looks_at_the_list(am, people):
    assert _names(logged_in(am).get("/contacts/?owner=me").content.decode()) == ["Kim", "Vogel", "Weber"]


def test_the_list_sorts_by_a_custom_field_and_pages_through_it(admin, people):
    client = logged_in(admin)
    assert _names(client.get("/contacts/?sort=-custom.seats").content.decode()) == ["Dupont", "Vogel", "Weber",
                                                                                     "Kim"]
    assert _names(client.get("/contacts/?sort=-name").content.decode()) == ["Weber", "Vogel", "Kim", "Dupont"]
    assert client.get("/contacts/?sort=custom.nope")["Location"] == "/contacts/"


def test_the_list_shows_the_chosen_columns_with_readable_custom_fields_only(admin, am, people):
    admin_page = logged_in(admin).get("/contacts/?columns=phone,custom.seats,custom.salary").content.decode()
    assert '<th scope="col">Seats</th>' in admin_page and '<th scope="col">Salary band</th>' in admin_page
    assert '<th scope="col">Job title</th>' not in admin_page and "band 30" in admin_page
    am_page = logged_in(am).get("/contacts/?columns=custom.seats,custom.salary").content.decode()
    assert '<th scope="col">Seats</th>' in am_page
    assert "Salary band" not in am_page and "band 30" not in am_page  # neither column nor filter nor sort
    assert logged_in(am).get("/contacts/?custom=salary:band").status_code == 302


def test_saving_a_private_view_keeps_filters_sort_and_columns(am, people):
    client = logged_in(am)
    response = client.post("/accounts/views/contact/save/", {
        "name": "EMEA champions", "query": "q=&role=champion&cf_region=EMEA&sort=-custom.seats&columns=custom.seats"
                                           "&cursor=abc&csrfmiddlewaretoken=x", "team": ""})
    view = SavedView.objects.get(name="EMEA champions")
    assert (view.resource, view.team, view.owner) == ("contact", None, am)
    assert view.query == "role=champion&cf_region=EMEA&sort=-custom.seats&columns=custom.seats"
    assert response["Location"] == f"/contacts/?{view.query}"
    page = client.get(response["Location"]).content.decode()
    assert _names(page) == ["Vogel"] and "EMEA champions" in page
    assert "EMEA champions" not in logged_in(UserFactory(roles=["am"])).get("/contacts/").content.decode()
    assert "EMEA champions" not in client.get("/accounts/").content.decode()  # a contact view, not an account one


def test_a_view_shared_with_a_team_is_listed_for_its_members_only(manager, people):
    team = TeamFactory(name="EMEA", manager=manager)
    logged_in(manager).post("/accounts/views/contact/save/", {"name": "My customers", "query": "owner=me",
                                                              "team": str(team.pk)})
    assert SavedView.objects.get(name="My customers").team == team
    member, stranger = UserFactory(roles=["am"]), UserFactory(roles=["am"])
    team.members.add(member)
    assert "My customers" in logged_in(member).get("/contacts/").content.decode()
    assert "My customers" not in logged_in(stranger).get("/contacts/").content.decode()
    view = SavedView.objects.get(name="My customers")
    assert logged_in(member).post(f"/accounts/views/{view.public_id}/delete/").status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()  # only the owner deletes it


def test_sharing_with_a_team_the_user_is_not_in_is_refused(am, people):
    other_team = TeamFactory(name="APAC")
    logged_in(am).post("/accounts/views/contact/save/", {"name": "Sneaky", "query": "role=user",
                                                         "team": str(other_team.pk)})
    assert not SavedView.objects.filter(name="Sneaky").exists()


def test_a_csm_still_sees_only_contacts_in_scope_whatever_the_filters(csm, am, people):
    client = logged_in(csm)
    assert _names(client.get("/contacts/").content.decode()) == ["Vogel", "Weber"]
    assert _names(client.get(f"/contacts/?owner={am.email}&sort=-custom.seats").content.decode()) == ["Vogel",
                                                                                                        "Weber"]
    assert _names(client.get("/contacts/?custom=region:APAC").content.decode()) == []
    headers = bearer_for(csm, ["contacts:read"])
    items = client.get("/api/v1/contacts?custom=region:EMEA&sort=custom.seats", **headers).json()["items"]
    assert [item["last_name"] for item in items] == ["Weber", "Vogel"]


def test_the_api_filters_and_sorts_like_the_list(admin, am, csm, people, client):
    headers = bearer_for(admin, ["contacts:read"])

    def names(query: str) -> list[str]:
        response = client.get(f"/api/v1/contacts?{query}", **headers)
        assert response.status_code == 200, response.content
        return [item["last_name"] for item in response.json()["items"]]

    assert names("custom=region:EMEA&sort=-custom.seats") == ["Dupont", "Vogel", "Weber"]
    assert names(f"owner={am.email}&buying_role=user") == ["Kim", "Weber"]
    assert names(f"member={csm.email}&sort=-name") == ["Weber", "Vogel"]
    first = client.get("/api/v1/contacts?sort=custom.seats&limit=2", **headers).json()
    second = client.get(f"/api/v1/contacts?sort=custom.seats&limit=2&cursor={first['next_cursor']}",
                        **headers).json()
    assert [i["last_name"] for i in first["items"] + second["items"]] == ["Kim", "Weber", "Vogel", "Dupont"]
    assert client.get("/api/v1/contacts?custom=unknown:1", **headers).status_code == 422
    assert client.get("/api/v1/contacts?custom=region", **headers).status_code == 422
    assert client.get("/api/v1/contacts?sort=title", **headers).status_code == 422


def test_the_contact_list_needs_the_same_queries_for_2_or_40_contacts(am, fields):
    account = AccountFactory(owner=am)
    for index in range(2):
        services.contact_create(actor=am, account=account, last_name=f"Few {index}", custom={"seats": index})
    client = logged_in(am)
    url = "/contacts/?columns=account,owner,phone,custom.seats&sort=-custom.seats&role="

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for index in range(38):
        services.contact_create(actor=am, account=AccountFactory(owner=am), last_name=f"Many {index}",
                                phones=["+49301234567"])
    assert queries() == few
