"""The foundation's "done when": a user holding only the CSM role cannot see an account outside
their scope through the API list, the API detail, the UI list, the UI detail or an export."""

from __future__ import annotations

import pytest

from tandem.core.testing.factories import AccountFactory, assign
from tandem.core.testing.fixtures import bearer_for, logged_in


@pytest.fixture
def accounts(csm, am):
    mine = AccountFactory(name="Carla's Customer", owner=am)
    assign(mine, csm, "csm")
    theirs = AccountFactory(name="Somebody Else's Customer", owner=am)
    return mine, theirs


def test_a_csm_sees_only_their_accounts_in_the_api_list(csm, accounts, client):
    mine, theirs = accounts
    response = client.get("/api/v1/accounts", **bearer_for(csm, ["accounts:read"]))
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [mine.public_id]


def test_a_csm_gets_404_for_an_account_outside_their_scope_in_the_api(csm, accounts, client):
    mine, theirs = accounts
    headers = bearer_for(csm, ["accounts:read"])
    assert client.get(f"/api/v1/accounts/{mine.public_id}", **headers).status_code == 200
    response = client.get(f"/api/v1/accounts/{theirs.public_id}", **headers)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert theirs.name not in response.content.decode()


def test_a_csm_sees_only_their_accounts_in_the_ui_list(csm, accounts):
    mine, theirs = accounts
    page = logged_in(csm).get("/accounts/").content.decode()
    assert mine.name.replace("'", "&#x27;") in page
    assert "Somebody Else" not in page


def test_a_csm_gets_404_for_an_account_outside_their_scope_in_the_ui(csm, accounts):
    mine, theirs = accounts
    client = logged_in(csm)
    assert client.get(f"/accounts/{mine.public_id}/").status_code == 200
    assert client.get(f"/accounts/{theirs.public_id}/").status_code == 404


def test_a_csm_exports_only_their_accounts(csm, accounts):
    mine, theirs = accounts
    response = logged_in(csm).get("/transfer/export/accounts.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert mine.public_id in body
    assert theirs.public_id not in body
    assert "Somebody Else" not in body


def test_an_administrator_sees_both_accounts(admin, accounts):
    body = b"".join(logged_in(admin).get("/transfer/export/accounts.csv").streaming_content).decode()
    assert all(account.public_id in body for account in accounts)
