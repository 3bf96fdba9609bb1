from __future__ import annotations

import pytest

from tandem.access import services
from tandem.access.decide import explain
from tandem.access.models import Permission
from tandem.audit.models import AuditEntry
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.core.testing.factories import AccountFactory, assign
from tandem.core.testing.fixtures import bearer_for, logged_in


def test_widening_the_csm_view_scope_in_the_editor_takes_effect_at_once(admin, csm, client):
    AccountFactory(name="Far away")
    headers = bearer_for(csm, ["accounts:read"])
    assert client.get("/api/v1/accounts", **headers).json()["items"] == []
    response = logged_in(admin).post("/admin/permissions/", {
        **_current_form(), "rule-csm-account-view": "all"})
    assert response.status_code == 302
    assert [item["name"] for item in client.get("/api/v1/accounts", **headers).json()["items"]] == ["Far away"]
    entry = AuditEntry.objects.get(summary="Permission changed")
    assert entry.changes == {"csm.account.view": ["own", "all"]}


def _current_form() -> dict[str, str]:
    """The editor's form as it is now (every rule select with its current value)."""
    form = {f"rule-{p.role.code}-{p.resource}-{p.action}": p.scope for p in Permission.objects.select_related("role")}
    from tandem.access.models import FieldGroupPermission
    for group in FieldGroupPermission.objects.select_related("role"):
        prefix = f"group-{group.role.code}-{group.resource}-{group.field_group}"
        if group.can_read:
            form[prefix + "-read"] = "on"
        if group.can_write:
            form[prefix + "-write"] = "on"
    return form


def test_a_non_administrator_cannot_change_the_policy_and_nothing_changes(manager):
    before = list(Permission.objects.values_list("role__code", "resource", "action", "scope").order_by("id"))
    with pytest.raises(PermissionDenied):
        services.policy_set(actor=manager, rules=[services.RuleChange("csm", "account", "view", "all")])
    assert logged_in(manager).post("/admin/permissions/", {"rule-csm-account-view": "all"}).status_code == 404
    assert list(Permission.objects.values_list("role__code", "resource", "action", "scope").order_by("id")) == before


def test_the_policy_cannot_lock_out_every_administrator(admin):
    with pytest.raises(ValidationFailed, match="nobody able to change permissions"):
        services.policy_set(actor=admin, rules=[services.RuleChange("administrator", "access_policy", "change", None)])
    assert Permission.objects.filter(role__code="administrator", resource="access_policy", action="change").exists()


def test_explain_names_the_deciding_rule(csm):
    mine, other = AccountFactory(name="Mine"), AccountFactory(name="Other")
    assign(mine, csm, "csm")
    view_mine = {item.action: item for item in explain(csm, mine)}["view"]
    view_other = {item.action: item for item in explain(csm, other)}["view"]
    delete_mine = {item.action: item for item in explain(csm, mine)}["delete"]
    assert (view_mine.allowed, view_mine.role_code, view_mine.scope) == (True, "csm", "own")
    assert view_other.allowed is False and "outside that scope" in view_other.reason
    assert delete_mine.allowed is False and "None of the user's roles grants 'delete'" in delete_mine.reason


def test_the_explain_page_and_api(admin, csm, client):
    account = AccountFactory(name="Explained")
    page = logged_in(admin).get(f"/admin/explain/?user={csm.public_id}&resource=account&record={account.public_id}")
    assert "outside that scope" in page.content.decode()
    api = client.get(f"/api/v1/access/explain?user={csm.email}&resource=account&record={account.public_id}",
                     **bearer_for(admin, ["users:read"])).json()
    assert {a["action"]: a["allowed"] for a in api["actions"]} == {
        "view": False, "create": False, "change": False, "delete": False, "export": False}
    assert client.get(f"/api/v1/access/explain?user={csm.email}",
                      **bearer_for(csm, ["users:read"])).status_code == 403
