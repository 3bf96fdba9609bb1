"""policy_set: all or nothing, every changed row audited, stale edits refused, nobody locked out."""

from __future__ import annotations

import pytest

from tandem.access.models import FieldGroupPermission, Permission
from tandem.access.services import FieldGroupChange, RuleChange, policy_set
from tandem.audit.models import AuditEntry
from tandem.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from tandem.core.testing.factories import UserFactory


def _policy() -> list[tuple]:
    rules = list(Permission.objects.values_list("role__code", "resource", "action", "scope").order_by("id"))
    groups = list(FieldGroupPermission.objects.values_list("role__code", "resource", "field_group", "can_read",
                                                           "can_write").order_by("id"))
    return rules + groups


def test_changing_creating_and_removing_rules_audits_each_row_with_before_and_after(admin):
    update = policy_set(actor=admin, rules=[
        RuleChange("csm", "account", "view", "all"),
        RuleChange("csm", "account", "delete", "own"),
        RuleChange("csm", "account", "export", None),
    ])
    assert update.count == 3
    assert Permission.objects.get(role__code="csm", resource="account", action="view").scope == "all"
    assert Permission.objects.get(role__code="csm", resource="account", action="delete").scope == "own"
    assert not Permission.objects.filter(role__code="csm", resource="account", action="export").exists()
    entries = list(AuditEntry.objects.filter(content_type__model="permission").order_by("id"))
    assert [(entry.action, entry.changes, entry.actor_id) for entry in entries] == [
        ("change", {"scope": ["own", "all"]}, admin.pk),
        ("create", {"scope": [None, "own"]}, admin.pk),
        ("delete", {"scope": ["own", None]}, admin.pk),
    ]
    assert entries[0].summary == "Customer success manager · accounts · View: Own records → All records"
    assert entries[2].summary == "Customer success manager · accounts · Export: Own records → none"


def test_an_unchanged_rule_writes_nothing_and_is_not_audited(admin):
    update = policy_set(actor=admin, rules=[RuleChange("csm", "account", "view", "own")])
    assert update.count == 0
    assert not AuditEntry.objects.exists()


def test_field_group_write_implies_read_and_is_audited(admin):
    FieldGroupPermission.objects.filter(role__code="csm", field_group="pricing").update(can_read=False)
    update = policy_set(actor=admin, field_groups=[FieldGroupChange("csm", "account", "pricing", False, True)])
    row = FieldGroupPermission.objects.get(role__code="csm", resource="account", field_group="pricing")
    assert (row.can_read, row.can_write) == (True, True)
    entry = AuditEntry.objects.get(content_type__model="fieldgrouppermission")
    assert entry.changes == {"can_read": [False, True], "can_write": [False, True]}
    assert update.changes == ("Customer success manager · accounts · field group “pricing”: hidden → read and write",)


def test_a_non_administrator_cannot_change_the_policy_and_nothing_changes(manager):
    before = _policy()
    with pytest.raises(PermissionDenied):
        policy_set(actor=manager, rules=[RuleChange("csm", "account", "view", "all")])
    assert _policy() == before
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(("change", "key"), [
    (RuleChange("csm", "planet", "view", "all"), "csm.planet.view"),
    (RuleChange("csm", "account", "launch", "all"), "csm.account.launch"),
    (RuleChange("csm", "account", "view", "galaxy"), "csm.account.view"),
    (RuleChange("wizard", "account", "view", "all"), "wizard.account.view"),
    (RuleChange("csm", "audit_log", "view", "own"), "csm.audit_log.view"),
])
def test_an_invalid_rule_is_refused_with_its_key_and_nothing_is_saved(admin, change, key):
    before = _policy()
    with pytest.raises(ValidationFailed) as refused:
        policy_set(actor=admin, rules=[RuleChange("csm", "account", "view", "all"), change])
    assert list(refused.value.errors) == [key]
    assert _policy() == before
    assert not AuditEntry.objects.exists()


def test_an_unknown_field_group_is_refused(admin):
    with pytest.raises(ValidationFailed) as refused:
        policy_set(actor=admin, field_groups=[FieldGroupChange("csm", "account", "astrology", True, False)])
    assert refused.value.errors == {"csm.account.astrology": ["Unknown field group “astrology”."]}
    assert not FieldGroupPermission.objects.filter(field_group="astrology").exists()


def test_the_same_rule_twice_in_one_save_is_refused(admin):
    with pytest.raises(ValidationFailed):
        policy_set(actor=admin, rules=[RuleChange("csm", "account", "view", "all"),
                                       RuleChange("csm", "account", "view", "team")])
    assert Permission.objects.get(role__code="csm", resource="account", action="view").scope == "own"


def test_the_policy_cannot_lock_out_every_administrator(admin):
    before = _policy()
    with pytest.raises(ValidationFailed, match="nobody able to change permissions"):
        policy_set(actor=admin, rules=[RuleChange("administrator", "access_policy", "change", None)])
    assert _policy() == before
    assert not AuditEntry.objects.exists()


def test_removing_view_on_the_policy_is_a_lock_out_too(admin):
    with pytest.raises(ValidationFailed, match="nobody able to change permissions"):
        policy_set(actor=admin, rules=[RuleChange("administrator", "access_policy", "view", None)])
    assert Permission.objects.filter(role__code="administrator", resource="access_policy", action="view").exists()


def test_handing_the_policy_to_another_role_first_allows_removing_it_from_administrators(admin):
    UserFactory(password=None, roles=["manager"])
    update = policy_set(actor=admin, rules=[
        RuleChange("manager", "access_policy", "view", "all"),
        RuleChange("manager", "access_policy", "change", "all"),
        RuleChange("administrator", "access_policy", "change", None),
    ])
    assert update.count == 3
    assert not Permission.objects.filter(role__code="administrator", resource="access_policy",
                                         action="change").exists()


def test_only_deactivated_holders_left_counts_as_a_lock_out(admin):
    UserFactory(password=None, roles=["manager"], is_active=False)
    with pytest.raises(ValidationFailed):
        policy_set(actor=admin, rules=[
            RuleChange("manager", "access_policy", "view", "all"),
            RuleChange("manager", "access_policy", "change", "all"),
            RuleChange("administrator", "access_policy", "change", None),
        ])
    assert not Permission.objects.filter(role__code="manager", resource="access_policy").exists()


def test_a_change_based_on_a_stale_page_is_refused_as_a_conflict(admin):
    policy_set(actor=admin, rules=[RuleChange("csm", "account", "view", "team")])  # someone else saved first
    with pytest.raises(Conflict) as refused:
        policy_set(actor=admin, rules=[
            RuleChange("am", "account", "view", "all", check_before=True, before="own"),
            RuleChange("csm", "account", "view", "all", check_before=True, before="own"),
        ])
    assert refused.value.errors == {"csm.account.view": ["Now “Team's records”."]}
    assert Permission.objects.get(role__code="csm", resource="account", action="view").scope == "team"
    assert Permission.objects.get(role__code="am", resource="account", action="view").scope == "own"
