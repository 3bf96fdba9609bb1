from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tandem.audit.models import AuditEntry
from tandem.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from tandem.notifications.models import Notification
from tandem.pipeline import selectors, services
from tandem.pipeline.models import Opportunity, Stage
from tandem.timeline.models import Activity


def stage(type_code: str, code: str) -> Stage:
    return Stage.objects.get(pipeline__opportunity_type=type_code, code=code)


def test_default_pipelines_exist_for_every_type_with_open_won_and_lost_stages(db):
    for type_code in ("new_business", "upsell", "cross_sell", "expansion", "renewal"):
        kinds = {s.kind for s in selectors.stages_of(pipeline=selectors.pipeline_for_type(type=type_code))}
        assert kinds == {"open", "won", "lost"}
    assert selectors.stage_by_code(type="renewal", code="negotiation") is not None


def test_an_am_creates_an_upsell_in_the_first_open_stage_audited_and_on_the_timeline(am, customer, next_month):
    opportunity = services.opportunity_create(actor=am, account=customer, type="upsell", name="20 more seats",
                                              close_date=next_month, mrr_delta=Decimal("500"))
    assert opportunity.stage.code == "identified" and opportunity.owner == am and opportunity.currency == "USD"
    assert opportunity.version == 1 and opportunity.created_by == am
    assert AuditEntry.objects.filter(object_id=str(opportunity.pk), action="create").exists()
    assert Activity.objects.filter(account=customer, payload__event="opportunity_created").count() == 1


def test_a_stage_of_another_pipeline_is_refused_with_a_specific_message(am, customer, next_month):
    with pytest.raises(ValidationFailed) as error:
        services.opportunity_create(actor=am, account=customer, type="upsell", name="X", close_date=next_month,
                                    stage=stage("renewal", "committed"))
    assert "is not in the pipeline of Upsell opportunities" in error.value.errors["stage"][0]
    assert not Opportunity.objects.exists()


def test_a_csm_creates_an_expansion_without_a_price_and_it_goes_to_the_account_manager(csm, am, customer,
                                                                                          next_month):
    opportunity = services.opportunity_create(actor=csm, account=customer, type="expansion",
                                              name="Analytics team wants in", close_date=next_month)
    assert opportunity.owner == am and opportunity.mrr_delta is None and opportunity.created_by == csm
    assert Notification.objects.filter(recipient=am, kind="opportunity_moved").exists()


def test_a_csm_sending_an_amount_is_refused_naming_the_pricing_field_group(csm, customer, next_month):
    with pytest.raises(PermissionDenied) as error:
        services.opportunity_create(actor=csm, account=customer, type="expansion", name="X", close_date=next_month,
                                    mrr_delta=Decimal("100"))
    assert "pricing" in error.value.message and set(error.value.errors) == {"mrr_delta", "one_off_amount"}
    assert not Opportunity.objects.exists()


def test_a_csm_may_move_the_stage_but_not_change_the_amount(csm, am, customer, next_month):
    opportunity = services.opportunity_create(actor=am, account=customer, type="expansion", name="X",
                                              close_date=next_month, mrr_delta=Decimal("100"))
    with pytest.raises(PermissionDenied):
        services.opportunity_update(actor=csm, opportunity=opportunity, version=1, mrr_delta=Decimal("1"))
    moved = services.opportunity_update(actor=csm, opportunity=opportunity, version=1, mrr_delta=Decimal("100.00"),
                                        stage=stage("expansion", "proposal"))
    assert moved.stage.code == "proposal" and moved.mrr_delta == Decimal("100.00") and moved.version == 2
    assert Notification.objects.filter(recipient=am, kind="opportunity_moved",
                                       event_key__startswith="opportunity-moved").exists()


def test_losing_needs_a_reason(am, customer, next_month):
    opportunity = services.opportunity_create(actor=am, account=customer, type="upsell", name="X",
                                              close_date=next_month)
    with pytest.raises(ValidationFailed) as error:
        services.opportunity_move(actor=am, opportunity=opportunity, stage=stage("upsell", "lost"), version=1)
    assert "loss_reason" in error.value.errors
    lost = services.opportunity_move(actor=am, opportunity=opportunity, stage=stage("upsell", "lost"), version=1,
                                     loss_reason="Budget frozen")
    assert lost.closed_on == datetime.date.today() and lost.loss_reason == "Budget frozen"
    assert Activity.objects.filter(payload__event="opportunity_lost", payload__reason="Budget frozen").exists()


def test_a_stale_version_is_a_conflict_and_nothing_is_overwritten(am, customer, next_month):
    opportunity = services.opportunity_create(actor=am, account=customer, type="upsell", name="Original",
                                              close_date=next_month)
    services.opportunity_update(actor=am, opportunity=opportunity, version=1, name="First writer")
    with pytest.raises(Conflict):
        services.opportunity_update(actor=am, opportunity=opportunity, version=1, name="Second writer")
    opportunity.refresh_from_db()
    assert opportunity.name == "First writer" and opportunity.version == 2


def test_an_update_without_a_version_is_refused(am, customer, next_month):
    opportunity = services.opportunity_create(actor=am, account=customer, type="upsell", name="X",
                                              close_date=next_month)
    with pytest.raises(ValidationFailed) as error:
        services.opportunity_update(actor=am, opportunity=opportunity, version=None, name="Y")
    assert "version" in error.value.errors


def test_an_outsider_cannot_create_on_an_account_they_cannot_see(outsider, customer, next_month):
    with pytest.raises(PermissionDenied):
        services.opportunity_create(actor=outsider, account=customer, type="upsell", name="X", close_date=next_month)


def test_forecast_weights_amounts_by_stage_probability_per_month_and_owner(am, manager, customer):
    month = datetime.date.today().replace(day=1) + datetime.timedelta(days=40)
    closing = month.replace(day=10)
    services.opportunity_create(actor=am, account=customer, type="upsell", name="A", close_date=closing,
                                mrr_delta=Decimal("1000"), one_off_amount=Decimal("200"),
                                stage=stage("upsell", "proposal"))  # 50 %
    services.opportunity_create(actor=am, account=customer, type="upsell", name="B", close_date=closing,
                                mrr_delta=Decimal("500"), stage=stage("upsell", "negotiation"))  # 80 %
    won = services.opportunity_create(actor=am, account=customer, type="upsell", name="C", close_date=closing,
                                      mrr_delta=Decimal("300"))
    services.opportunity_move(actor=am, opportunity=won, stage=stage("upsell", "won"), version=1)
    Opportunity.objects.filter(pk=won.pk).update(close_date=closing)
    lost = services.opportunity_create(actor=am, account=customer, type="upsell", name="D", close_date=closing,
                                       mrr_delta=Decimal("9999"))
    services.opportunity_move(actor=am, opportunity=lost, stage=stage("upsell", "lost"), version=1,
                              loss_reason="Competitor")
    Opportunity.objects.filter(pk=lost.pk).update(close_date=closing)
    result = selectors.forecast(actor=am, start=datetime.date.today(), months=3)
    rows = [row for row in result.rows if row.month == closing.replace(day=1)]
    assert len(rows) == 1
    row = rows[0]
    assert row.owner_id == am.pk and row.count == 3
    assert row.open_mrr == Decimal("1500.00") and row.open_one_off == Decimal("200.00")
    assert row.weighted_mrr == Decimal("1200.00")  # 1000 × 50 % + 500 × 80 % + 300 won
    assert row.weighted_one_off == Decimal("100.00")
    assert row.won_mrr == Decimal("300.00")


def test_bookings_and_opportunities_created_count_won_deals_per_owner_and_period(am, sdr, customer, next_month):
    won = services.opportunity_create(actor=am, account=customer, type="upsell", name="W", close_date=next_month,
                                      mrr_delta=Decimal("250"), one_off_amount=Decimal("1000"))
    services.opportunity_move(actor=am, opportunity=won, stage=stage("upsell", "won"), version=1)
    today = datetime.date.today()
    [booking] = selectors.bookings(owner=am, start=today, end=today)
    assert (booking.count, booking.mrr_delta, booking.one_off_amount) == (1, Decimal("250.00"), Decimal("1000.00"))
    assert selectors.bookings(start=today + datetime.timedelta(days=1), end=today + datetime.timedelta(days=9)) == []
    assert selectors.opportunities_created(user=am, start=today, end=today).count() == 1
    assert selectors.opportunities_created(user=sdr, start=today, end=today).count() == 0


def test_an_administrator_edits_stages_and_a_pipeline_keeps_a_won_stage(admin, am):
    pipeline = selectors.pipeline_for_type(type="upsell")
    added = services.stage_create(actor=admin, pipeline=pipeline, name="Security review", probability=65,
                                  position=2)
    codes = [s.code for s in selectors.stages_of(pipeline=pipeline)]
    assert codes[2] == "security_review" and added.position == 2
    services.stage_update(actor=admin, stage=added, name="Security & legal", probability=70)
    services.stage_shift(actor=admin, stage=added, offset=-1)
    assert [s.code for s in selectors.stages_of(pipeline=pipeline)][1] == "security_review"
    with pytest.raises(ValidationFailed):
        services.stage_update(actor=admin, stage=stage("upsell", "won"), kind="open")
    assert stage("upsell", "won").kind == "won"
    with pytest.raises(PermissionDenied):
        services.stage_create(actor=am, pipeline=pipeline, name="Nope", probability=5)
