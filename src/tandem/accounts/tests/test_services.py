from __future__ import annotations

import pytest

from tandem.accounts import services
from tandem.accounts.models import Account, AccountStageChange
from tandem.audit.models import AuditEntry
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.core.testing.factories import AccountFactory


def test_creating_an_account_records_its_first_stage_and_an_audit_entry(am):
    account = services.account_create(actor=am, name="  Hanbit Soft  ", domain="https://www.Hanbit.co.kr/about",
                                      country="kr", currency="krw", tier="high_touch")
    assert (account.name, account.domain, account.country, account.currency) == (
        "Hanbit Soft", "hanbit.co.kr", "KR", "KRW")
    assert account.owner == am
    change = AccountStageChange.objects.get(account=account)
    assert (change.from_stage, change.to_stage, change.changed_by) == ("", "onboarding", am)
    entry = AuditEntry.objects.get(object_id=str(account.pk), action="create")
    assert entry.changes["name"] == [None, "Hanbit Soft"]


def test_a_stage_change_is_recorded_with_who_and_when(am):
    account = services.account_create(actor=am, name="Acme")
    services.account_update(actor=am, account=account, lifecycle_stage="adopting")
    services.account_update(actor=am, account=account, lifecycle_stage="mature")
    history = list(AccountStageChange.objects.filter(account=account).order_by("id")
                   .values_list("from_stage", "to_stage"))
    assert history == [("", "onboarding"), ("onboarding", "adopting"), ("adopting", "mature")]
    change = AuditEntry.objects.filter(object_id=str(account.pk), action="change").first()
    assert change.changes == {"lifecycle_stage": ["adopting", "mature"]}


def test_an_account_cannot_become_its_own_ancestor(admin):
    group = services.account_create(actor=admin, name="Group")
    subsidiary = services.account_create(actor=admin, name="Subsidiary", parent=group)
    with pytest.raises(ValidationFailed) as error:
        services.account_update(actor=admin, account=group, parent=subsidiary)
    assert "parent" in error.value.errors
    group.refresh_from_db()
    assert group.parent is None


def test_invalid_fields_are_reported_per_field_and_nothing_is_saved(admin):
    with pytest.raises(ValidationFailed) as error:
        services.account_create(actor=admin, name="Bad", domain="not a domain", country="Germany",
                                currency="EURO", status_flags=["sparkly"], other_domains=["ok.example", "bad one"])
    assert set(error.value.errors) == {"domain", "country", "currency", "status_flags", "other_domains"}
    assert not Account.objects.filter(name="Bad").exists()


def test_external_ids_are_unique(admin):
    services.account_create(actor=admin, name="One", external_id="cus_123")
    with pytest.raises(ValidationFailed) as error:
        services.account_create(actor=admin, name="Two", external_id="cus_123")
    assert "external_id" in error.value.errors


def test_a_csm_cannot_change_an_account_outside_their_scope_and_nothing_changes(csm):
    account = AccountFactory(name="Untouchable")
    with pytest.raises(PermissionDenied):
        services.account_update(actor=csm, account=account, name="Touched")
    account.refresh_from_db()
    assert account.name == "Untouchable"
    assert not AuditEntry.objects.filter(object_id=str(account.pk)).exists()


def test_a_parent_the_actor_cannot_see_is_refused(am):
    hidden = AccountFactory(name="Hidden parent")
    with pytest.raises(ValidationFailed) as error:
        services.account_create(actor=am, name="Child", parent=hidden)
    assert "parent" in error.value.errors


def test_a_taken_external_id_and_an_own_parent_are_field_errors_not_database_errors(admin):
    first = services.account_create(actor=admin, name="Hanbit Soft", external_id="crm-7")
    with pytest.raises(ValidationFailed) as taken:
        services.account_create(actor=admin, name="Hanbit Software", external_id="crm-7")
    assert taken.value.errors["external_id"] == ["Another account already has this external id."]
    with pytest.raises(ValidationFailed) as loop:
        services.account_update(actor=admin, account=first, parent=first)
    assert loop.value.errors["parent"] == ["An account cannot be its own parent."]
    second = services.account_create(actor=admin, name="Hanbit Cloud", external_id="")  # blanks never clash
    assert services.account_create(actor=admin, name="Hanbit Labs", external_id="").pk != second.pk
