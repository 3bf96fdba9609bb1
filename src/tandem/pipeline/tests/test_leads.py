from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tandem.accounts.models import Account, AccountTeamMember
from tandem.audit.models import AuditEntry
from tandem.collaboration.models import Handoff
from tandem.contacts.models import Contact
from tandem.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from tandem.core.testing.factories import AccountFactory
from tandem.pipeline import leads, selectors
from tandem.pipeline.models import Lead, Opportunity
from tandem.timeline.models import Activity


@pytest.fixture
def trial(sdr):
    return leads.lead_create(actor=sdr, company_name="Busan Logistics", domain="https://www.busan-logistics.kr/",
                             country="kr", contact_first_name="Min-ji", contact_last_name="Park",
                             contact_email="Min-ji.Park@Busan-Logistics.KR", source="trial",
                             trial_started_on=datetime.date(2025, 3, 1), trial_ends_on=datetime.date(2025, 3, 15))


def test_a_new_lead_is_normalised_owned_by_its_creator_and_audited(sdr, trial):
    assert trial.domain == "busan-logistics.kr" and trial.country == "KR"
    assert trial.contact_email == "Min-ji.Park@busan-logistics.kr" and trial.owner == sdr and trial.status == "new"
    assert AuditEntry.objects.filter(object_id=str(trial.pk), action="create").exists()


def test_a_trial_cannot_end_before_it_starts(sdr):
    with pytest.raises(ValidationFailed) as error:
        leads.lead_create(actor=sdr, company_name="X", trial_started_on=datetime.date(2025, 3, 2),
                          trial_ends_on=datetime.date(2025, 3, 1))
    assert "trial_ends_on" in error.value.errors


def test_calls_on_leads_and_on_accounts_count_toward_the_sdrs_calls(sdr, trial):
    leads.lead_call_log(actor=sdr, lead=trial, outcome="no_answer")
    leads.lead_call_log(actor=sdr, lead=trial, outcome="connected", notes="Interested in SSO")
    account = AccountFactory(owner=sdr)
    Activity.objects.create(account=account, type="call", subject="Follow-up", created_by=sdr)
    trial.refresh_from_db()
    assert trial.status == "working"
    today = timezone.now().date()
    assert selectors.sdr_calls(user=sdr, start=today, end=today) == 3
    assert selectors.sdr_calls(user=sdr, start=today - datetime.timedelta(days=9),
                               end=today - datetime.timedelta(days=1)) == 0


def test_qualifying_creates_account_contact_opportunity_and_a_handoff_to_the_ae(sdr, ae, trial):
    result = leads.lead_qualify(actor=sdr, lead=trial, ae=ae, mrr_delta=Decimal("900"))
    assert result.account_created and result.account.name == "Busan Logistics" and result.account.owner == ae
    seats = {seat.role.code: seat.user for seat in AccountTeamMember.objects.filter(account=result.account)}
    assert seats == {"sdr": sdr, "ae": ae}
    assert result.contact.email == "Min-ji.Park@busan-logistics.kr"
    assert result.opportunity.type == "new_business" and result.opportunity.owner == ae
    assert result.opportunity.created_by == sdr and result.opportunity.mrr_delta == Decimal("900.00")
    assert result.handoff.to_user == ae and result.handoff.from_role.code == "sdr"
    trial.refresh_from_db()
    assert (trial.status, trial.account, trial.opportunity) == ("qualified", result.account, result.opportunity)
    assert Activity.objects.filter(account=result.account, payload__event="lead_qualified").exists()
    today = timezone.now().date()
    assert selectors.opportunities_created(user=sdr, start=today, end=today).count() == 1
    with pytest.raises(Conflict):
        leads.lead_qualify(actor=sdr, lead=trial, ae=ae)


def test_qualifying_links_an_existing_account_and_reuses_its_contact(admin, ae, sdr):
    existing = AccountFactory(name="Busan Logistics Co.")
    Contact.objects.create(account=existing, first_name="Min-ji", email="min@busan.kr")
    lead = leads.lead_create(actor=admin, company_name="Busan", contact_email="min@busan.kr", owner=sdr)
    result = leads.lead_qualify(actor=admin, lead=lead, ae=ae, account=existing)
    assert not result.account_created and result.account == existing and Contact.objects.count() == 1
    assert result.handoff is None  # the administrator is not an SDR


def test_a_failing_qualification_creates_nothing(sdr, ae, trial):
    accounts, contacts = Account.objects.count(), Contact.objects.count()
    with pytest.raises(ValidationFailed):
        leads.lead_qualify(actor=sdr, lead=trial, ae=ae, currency="EURO")  # refused after the account was made
    assert (Account.objects.count(), Contact.objects.count()) == (accounts, contacts)
    assert not Opportunity.objects.exists() and not Handoff.objects.exists()
    trial.refresh_from_db()
    assert trial.status == "new" and trial.account is None


def test_qualifying_needs_an_account_executive(sdr, am, trial):
    with pytest.raises(ValidationFailed) as error:
        leads.lead_qualify(actor=sdr, lead=trial, ae=am)
    assert "ae" in error.value.errors


def test_disqualifying_needs_a_reason(sdr, trial):
    with pytest.raises(ValidationFailed):
        leads.lead_disqualify(actor=sdr, lead=trial, reason=" ")
    assert leads.lead_disqualify(actor=sdr, lead=trial, reason="Student project").status == "disqualified"


def test_a_csm_cannot_see_or_change_leads(csm, trial):
    assert not selectors.lead_list(actor=csm).exists()
    with pytest.raises(PermissionDenied):
        leads.lead_update(actor=csm, lead=trial, company_name="Hacked")
    assert Lead.objects.get(pk=trial.pk).company_name == "Busan Logistics"
