from __future__ import annotations

from tandem.accounts import services as account_services
from tandem.core.testing.factories import AccountFactory, assign
from tandem.core.testing.fixtures import bearer_for, logged_in


def test_every_change_is_in_the_log_with_before_and_after(admin):
    account = account_services.account_create(actor=admin, name="Before")
    account_services.account_update(actor=admin, account=account, name="After")
    page = logged_in(admin).get("/audit/?object_type=account").content.decode()
    assert "Before" in page and "After" in page and "alice@example.test" in page


def test_the_audit_api_filters_and_paginates(admin, client):
    for index in range(3):
        account_services.account_create(actor=admin, name=f"Logged {index}")
    headers = bearer_for(admin, ["audit:read"])
    first = client.get("/api/v1/audit?object_type=account&action=create&limit=2", **headers).json()
    second = client.get(f"/api/v1/audit?object_type=account&action=create&limit=2&cursor={first['next_cursor']}",
                        **headers).json()
    names = [item["object"] for item in first["items"] + second["items"]]
    assert names == ["Logged 2", "Logged 1", "Logged 0"]


def test_a_csm_reads_the_history_of_a_visible_account_but_not_the_whole_log(csm, am, client):
    account = account_services.account_create(actor=am, name="Shared history")
    assign(account, csm, "csm")
    hidden = AccountFactory(name="Hidden history")
    headers = bearer_for(csm, ["audit:read"])
    history = client.get(f"/api/v1/audit?object_type=account&object_id={account.public_id}", **headers)
    assert history.status_code == 200 and history.json()["items"][0]["object_id"] == account.public_id
    assert client.get(f"/api/v1/audit?object_type=account&object_id={hidden.public_id}", **headers).status_code == 404
    assert client.get("/api/v1/audit", **headers).status_code == 403
    assert logged_in(csm).get("/audit/").status_code == 404


def test_the_audit_export_is_itself_audited_and_neutralises_formulas(admin):
    account_services.account_create(actor=admin, name="=cmd|' /C calc'!A0")
    body = b"".join(logged_in(admin).get("/audit/export.csv").streaming_content).decode()
    assert "'=cmd" in body
    assert "Exported the audit log" in logged_in(admin).get("/audit/?action=export").content.decode()
