"""The collaboration API: comments and handoffs end to end, and bad input answered with problem+json (never 500)."""

from __future__ import annotations

import pytest
from django.test import Client

from tandem.accounts.models import AccountTeamMember
from tandem.collaboration.logic import mention_token
from tandem.collaboration.models import Comment, Handoff, HandoffTemplate
from tandem.core.testing.factories import AccountFactory, UserFactory, assign
from tandem.core.testing.fixtures import bearer_for
from tandem.notifications.models import Notification

COMMENT_SCOPES = ["comments:read", "comments:write"]
HANDOFF_SCOPES = ["handoffs:read", "handoffs:write"]


@pytest.fixture
def account(csm, am):
    account = AccountFactory(name="Contoso", owner=am)
    assign(account, csm, "csm")
    return account


def problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def post(url, body, headers):
    return Client().post(url, body, content_type="application/json", **headers)


def test_a_comment_with_a_mention_through_the_api(csm, am, account):
    headers = bearer_for(csm, COMMENT_SCOPES)
    body = f"{mention_token(name='Adam', public_id=am.public_id)} please look"
    response = post("/api/v1/comments", {"object_type": "account", "object_id": account.public_id, "body": body},
                    headers)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["object_type"] == "account" and created["object_id"] == account.public_id
    assert created["mentions"] == [{"id": am.public_id, "name": "Adam AM"}]
    assert created["body_html"] == "<p><strong>@Adam AM</strong> please look</p>"
    listed = Client().get(f"/api/v1/comments?object_type=account&object_id={account.public_id}", **headers).json()
    assert [item["id"] for item in listed["items"]] == [created["id"]]
    patched = Client().patch(f"/api/v1/comments/{created['id']}", {"body": body + " today"},
                             content_type="application/json", **headers)
    assert patched.json()["edited_at"] is not None
    assert Notification.objects.filter(recipient=am, kind="mention").count() == 1
    assert Client().delete(f"/api/v1/comments/{created['id']}", **headers).status_code == 204
    problem(Client().get(f"/api/v1/comments/{created['id']}", **headers), 404)


def test_a_mention_of_someone_who_cannot_see_the_account_is_a_422_naming_them(csm, account):
    lee = UserFactory(full_name="Lee Park", roles=["csm"])
    body = problem(post("/api/v1/comments", {"object_type": "account", "object_id": account.public_id,
                                             "body": mention_token(name="Lee", public_id=lee.public_id)},
                        bearer_for(csm, COMMENT_SCOPES)), 422)
    assert body["errors"] == [{"field": "body", "message": "Lee Park cannot see this account; they were not "
                                                           "mentioned."}]
    assert not Comment.objects.exists()


@pytest.mark.parametrize("payload, field", [
    ({"object_type": "account", "object_id": "nope", "body": "x"}, "object_id"),
    ({"object_type": "", "object_id": "x", "body": "x"}, "object_type"),
    ({"object_type": "account", "object_id": "ACCOUNT", "body": "   "}, "body"),
    ({"object_type": "account", "object_id": "ACCOUNT", "body": "x" * 20_001}, "body"),
    ({"object_type": "account", "object_id": "ACCOUNT", "body": ["not", "text"]}, "body"),
    ({"object_type": "account", "object_id": "ACCOUNT", "body": "x", "parent": "nope"}, "parent"),
    ({"object_type": {"a": 1}, "object_id": 5, "body": None}, "body"),
])
def test_bad_comment_input_gets_422_with_the_field(csm, account, payload, field):
    payload = {key: (account.public_id if value == "ACCOUNT" else value) for key, value in payload.items()}
    body = problem(post("/api/v1/comments", payload, bearer_for(csm, COMMENT_SCOPES)), 422)
    assert field in [error["field"] for error in body["errors"]]
    assert not Comment.objects.exists()


def test_someone_elses_comment_cannot_be_patched(csm, am, account):
    comment = Comment.objects.create(target=account, author=am, body="mine")
    problem(Client().patch(f"/api/v1/comments/{comment.public_id}", {"body": "x"}, content_type="application/json",
                           **bearer_for(csm, COMMENT_SCOPES)), 403)
    assert Comment.objects.get().body == "mine"


@pytest.fixture
def ae(db):
    return UserFactory(full_name="Erin AE", roles=["ae"])


@pytest.fixture
def ian(db):
    return UserFactory(full_name="Ian Implementation", roles=["implementation"])


def test_a_handoff_through_the_api(ae, ian):
    account = AccountFactory(name="Contoso", owner=ae)
    sender, receiver = bearer_for(ae, HANDOFF_SCOPES), bearer_for(ian, HANDOFF_SCOPES)
    created = post("/api/v1/handoffs", {"account": account.public_id, "to_user": ian.public_id,
                                        "to_role": "implementation", "from_role": "ae", "note": "Signed"}, sender)
    assert created.status_code == 201, created.content
    handoff = created.json()
    assert handoff["status"] == "pending" and len(handoff["checklist"]) == 4
    assert problem(post("/api/v1/handoffs", {"account": account.public_id, "to_user": ian.public_id,
                                             "to_role": "implementation", "from_role": "ae"}, sender), 409)
    mine = Client().get("/api/v1/handoffs?mine=true&status=pending", **receiver).json()
    assert [item["id"] for item in mine["items"]] == [handoff["id"]]
    url = f"/api/v1/handoffs/{handoff['id']}"
    body = problem(post(f"{url}/accept", {}, receiver), 422)
    assert body["errors"][0]["field"] == "checklist"
    problem(post(f"{url}/accept", {}, sender), 403)
    ticked = Client().patch(url, {"checklist": [{"index": i, "done": True} for i in range(4)]},
                            content_type="application/json", **receiver)
    assert all(item["done"] for item in ticked.json()["checklist"])
    assert post(f"{url}/accept", {}, receiver).json()["status"] == "accepted"
    assert AccountTeamMember.objects.get(account=account, role__code="implementation").user == ian


def test_declining_without_a_reason_is_a_422_and_with_one_closes_it(ae, ian):
    account = AccountFactory(owner=ae)
    handoff = post("/api/v1/handoffs", {"account": account.public_id, "to_user": ian.public_id,
                                        "to_role": "implementation", "from_role": "ae"},
                   bearer_for(ae, HANDOFF_SCOPES)).json()
    receiver = bearer_for(ian, HANDOFF_SCOPES)
    body = problem(post(f"/api/v1/handoffs/{handoff['id']}/decline", {}, receiver), 422)
    assert [error["field"] for error in body["errors"]] == ["reason"]
    declined = post(f"/api/v1/handoffs/{handoff['id']}/decline", {"reason": "On leave"}, receiver).json()
    assert declined["status"] == "declined" and declined["decline_reason"] == "On leave"
    problem(post(f"/api/v1/handoffs/{handoff['id']}/cancel", {}, bearer_for(ae, HANDOFF_SCOPES)), 409)


@pytest.mark.parametrize("payload, field", [
    ({"account": "ACCOUNT", "to_user": "nobody", "to_role": "implementation", "from_role": "ae"}, "to_user"),
    ({"account": "ACCOUNT", "to_user": "IAN", "to_role": "astronaut", "from_role": "ae"}, "to_role"),
    ({"account": "ACCOUNT", "to_user": "IAN", "to_role": "implementation", "from_role": "csm"}, "from_role"),
    ({"account": "ACCOUNT", "to_user": "", "to_role": "implementation", "from_role": "ae"}, "to_user"),
    ({"account": "ACCOUNT", "to_user": "IAN", "to_role": "implementation", "from_role": "ae",
      "note": "x" * 5001}, "note"),
    ({"account": "ACCOUNT", "to_user": "IAN", "to_role": "implementation", "from_role": "ae",
      "assign_seat": "maybe"}, "assign_seat"),
    ({"account": 12, "to_user": ["IAN"]}, "account"),
])
def test_bad_handoff_input_gets_422_with_the_field(ae, ian, payload, field):
    account = AccountFactory(owner=ae)
    values = {"ACCOUNT": account.public_id, "IAN": ian.public_id}
    payload = {key: values.get(value, value) if isinstance(value, str) else value for key, value in payload.items()}
    body = problem(post("/api/v1/handoffs", payload, bearer_for(ae, HANDOFF_SCOPES)), 422)
    assert field in [error["field"] for error in body["errors"]]
    assert not Handoff.objects.exists()


def test_a_bad_checklist_patch_gets_422(ae, ian):
    account = AccountFactory(owner=ae)
    handoff = post("/api/v1/handoffs", {"account": account.public_id, "to_user": ian.public_id,
                                        "to_role": "implementation", "from_role": "ae"},
                   bearer_for(ae, HANDOFF_SCOPES)).json()
    for bad in ({"checklist": [{"index": 9, "done": True}]}, {"checklist": [{"index": -1, "done": True}]},
                {"checklist": "all"}, {"checklist": [{"index": 0}]}):
        problem(Client().patch(f"/api/v1/handoffs/{handoff['id']}", bad, content_type="application/json",
                               **bearer_for(ae, HANDOFF_SCOPES)), 422)


def test_templates_are_listed_for_everyone_and_created_by_administrators(ae, admin):
    listed = Client().get("/api/v1/handoff-templates", **bearer_for(ae, ["handoffs:read"])).json()
    assert {(item["from_role"], item["to_role"]) for item in listed["items"]} >= {("ae", "implementation")}
    payload = {"from_role": "csm", "to_role": "am", "checklist": ["Expansion need described"]}
    problem(post("/api/v1/handoff-templates", payload, bearer_for(ae, HANDOFF_SCOPES)), 403)
    created = post("/api/v1/handoff-templates", payload, bearer_for(admin, HANDOFF_SCOPES))
    assert created.status_code == 201 and created.json()["name"] == "Customer success manager → Account manager"
    problem(post("/api/v1/handoff-templates", payload, bearer_for(admin, HANDOFF_SCOPES)), 409)
    problem(post("/api/v1/handoff-templates", {"from_role": "csm", "to_role": "csm", "checklist": ["x"]},
                 bearer_for(admin, HANDOFF_SCOPES)), 422)
    template = HandoffTemplate.objects.get(from_role__code="csm")
    patched = Client().patch(f"/api/v1/handoff-templates/{template.public_id}", {"checklist": ["A", "B"]},
                             content_type="application/json", **bearer_for(admin, HANDOFF_SCOPES))
    assert patched.json()["checklist"] == ["A", "B"]
