"""The permission editor and "explain access" pages, and the access API."""

from __future__ import annotations

from tandem.access.models import FieldGroupPermission, Permission
from tandem.access.services import RuleChange, policy_set
from tandem.audit.models import AuditEntry
from tandem.core.testing.factories import AccountFactory, UserFactory, assign
from tandem.core.testing.fixtures import bearer_for, logged_in

EDITOR = "/admin/permissions/"


def editor_form(**changes: str) -> dict[str, str]:
    """The editor's form as the browser sends it: every select with its hidden "was" twin, every field-group
    cell's ticked boxes; ``changes`` overrides selects (``rule-csm-account-view="all"``)."""
    form: dict[str, str] = {}
    for row in Permission.objects.select_related("role"):
        name = f"rule-{row.role.code}-{row.resource}-{row.action}"
        form[name] = form["was-" + name] = row.scope
    for group in FieldGroupPermission.objects.select_related("role"):
        name = f"group-{group.role.code}-{group.resource}-{group.field_group}"
        form["was-" + name] = ("r" if group.can_read else "") + ("w" if group.can_write else "")
        if group.can_read:
            form[name + "-read"] = "on"
        if group.can_write:
            form[name + "-write"] = "on"
    for name, value in changes.items():
        form.setdefault("was-" + name, "")
        form[name] = value
    return form


def test_the_editor_shows_every_resource_with_a_legend(admin):
    page = logged_in(admin).get(EDITOR)
    html = page.content.decode()
    assert page.status_code == 200
    for anchor in ('id="resource-account"', 'id="resource-access_policy"', 'id="resource-audit_log"'):
        assert anchor in html
    assert "How to read this page" in html
    assert 'name="rule-csm-account-view"' in html and 'name="was-rule-csm-account-view" value="own"' in html
    assert 'name="group-csm-account-pricing-read"' in html


def test_widening_the_csm_view_scope_in_the_editor_takes_effect_at_once(admin, csm, client):
    AccountFactory(name="Far away")
    headers = bearer_for(csm, ["accounts:read"])
    assert client.get("/api/v1/accounts", **headers).json()["items"] == []
    response = logged_in(admin).post(EDITOR, editor_form(**{"rule-csm-account-view": "all"}))
    assert response.status_code == 302
    assert [item["name"] for item in client.get("/api/v1/accounts", **headers).json()["items"]] == ["Far away"]
    entry = AuditEntry.objects.get(content_type__model="permission")
    assert (entry.action, entry.changes) == ("change", {"scope": ["own", "all"]})


def test_the_editor_saves_field_groups(admin):
    form = editor_form()
    del form["group-csm-account-pricing-read"]
    assert logged_in(admin).post(EDITOR, form).status_code == 302
    row = FieldGroupPermission.objects.get(role__code="csm", resource="account", field_group="pricing")
    assert (row.can_read, row.can_write) == (False, False)


def test_a_refused_save_shows_the_reason_and_keeps_the_edits_highlighted(admin):
    before = list(Permission.objects.values_list("role__code", "resource", "action", "scope").order_by("id"))
    response = logged_in(admin).post(EDITOR, editor_form(**{"rule-administrator-access_policy-change": "",
                                                            "rule-csm-account-view": "all"}))
    html = response.content.decode()
    assert response.status_code == 422
    assert "This change would leave nobody able to change permissions; nothing was saved." in html
    assert html.count('class="changed"') == 2
    assert list(Permission.objects.values_list("role__code", "resource", "action", "scope").order_by("id")) == before


def test_a_save_over_someone_elses_change_is_refused(admin):
    form = editor_form(**{"rule-csm-account-view": "all"})
    policy_set(actor=admin, rules=[RuleChange("csm", "account", "view", "team")])
    response = logged_in(admin).post(EDITOR, form)
    assert response.status_code == 422
    assert "Someone else changed some of these permissions meanwhile" in response.content.decode()
    assert Permission.objects.get(role__code="csm", resource="account", action="view").scope == "team"


def test_a_user_without_the_policy_gets_404_and_one_who_may_only_read_it_gets_403_on_save(manager, viewer):
    assert logged_in(manager).get(EDITOR).status_code == 404
    assert logged_in(manager).post(EDITOR, {"rule-csm-account-view": "all"}).status_code == 404
    Permission.objects.create(role=viewer.roles.get(), resource="access_policy", action="view", scope="all")
    assert logged_in(viewer).get(EDITOR).status_code == 200
    assert "You may read the permissions but not change them." in logged_in(viewer).get(EDITOR).content.decode()
    response = logged_in(viewer).post(EDITOR, editor_form(**{"rule-csm-account-view": "all"}))
    assert response.status_code == 403
    assert Permission.objects.get(role__code="csm", resource="account", action="view").scope == "own"
    assert not AuditEntry.objects.exists()


def test_the_explain_page_shows_each_decision_with_its_reason(admin, csm):
    account = AccountFactory(name="Explained")
    page = logged_in(admin).get(f"/admin/explain/?user={csm.public_id}&resource=account&record={account.public_id}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "this record is outside that scope" in html
    assert "Customer success manager" in html and "pricing" in html


def test_the_explain_page_reports_an_unknown_user_and_an_unknown_record(admin):
    html = logged_in(admin).get("/admin/explain/?user=nobody@example.test&resource=account").content.decode()
    assert "No user has this id or email address." in html
    html = logged_in(admin).get(f"/admin/explain/?user={admin.email}&resource=account&record=nope").content.decode()
    assert "No record with this id that you can see." in html


def test_the_explain_api_answers_per_action_and_field_group(admin, csm, client):
    account = AccountFactory(name="Explained")
    assign(account, csm, "csm")
    response = client.get(f"/api/v1/access/explain?user={csm.email}&resource=account&record={account.public_id}",
                          **bearer_for(admin, ["users:read"]))
    body = response.json()
    assert response.status_code == 200
    assert {item["action"]: (item["allowed"], item["role"], item["scope"]) for item in body["actions"]} == {
        "view": (True, "csm", "own"), "create": (False, None, None), "change": (True, "csm", "own"),
        "delete": (False, None, None), "export": (True, "csm", "own")}
    assert body["field_groups"] == [{"field_group": "pricing", "can_read": True, "can_write": False, "fields": []}]
    assert (body["user_id"], body["record"], body["roles"]) == (csm.public_id, account.public_id,
                                                                ["Customer success manager"])


def test_the_explain_api_is_for_policy_readers_only(csm, admin, client):
    assert client.get(f"/api/v1/access/explain?user={csm.email}",
                      **bearer_for(csm, ["users:read"])).status_code == 403
    assert client.get(f"/api/v1/access/explain?user={csm.email}",
                      **bearer_for(admin, ["accounts:read"])).status_code == 403
    assert client.get(f"/api/v1/access/explain?user={csm.email}").status_code == 401


def test_the_explain_api_answers_404_for_a_record_and_422_for_a_user_that_do_not_exist(admin, client):
    headers = bearer_for(admin, ["users:read"])
    assert client.get(f"/api/v1/access/explain?user={admin.email}&record=nope", **headers).status_code == 404
    response = client.get("/api/v1/access/explain?user=ghost@example.test", **headers)
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("application/problem+json")


def test_the_policy_api_lists_rules_and_field_groups(admin, csm, client):
    headers = bearer_for(admin, ["users:read"])
    rules = client.get("/api/v1/access/policy", **headers).json()
    assert {"role": "csm", "resource": "account", "action": "view", "scope": "own"} in rules
    assert len(rules) == Permission.objects.count()
    groups = client.get("/api/v1/access/field-groups", **headers).json()
    assert {"role": "am", "resource": "account", "field_group": "pricing", "can_read": True,
            "can_write": True} in groups
    assert client.get("/api/v1/access/policy", **bearer_for(csm, ["users:read"])).status_code == 403


def test_a_deactivated_user_can_be_explained_through_the_api(admin, client):
    former = UserFactory(password=None, roles=["csm"], is_active=False)
    body = client.get(f"/api/v1/access/explain?user={former.public_id}", **bearer_for(admin, ["users:read"])).json()
    assert {item["allowed"] for item in body["actions"]} == {False}
