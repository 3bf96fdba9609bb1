"""Writes for renewals: the settings (administrators), running the engine, and closing a renewal — renewed
(with the multi-year discount), renewed with a downgrade, or lost with the customer churning.

Closing goes through the pipeline and contracts services in one transaction: winning the renewal opportunity
renews the subscription (``pipeline.contract_link``), losing it churns the subscription at the end of its term
with the reason; the renewal record, the audit log and the timeline say what happened and why."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.access.choices import Action
from tandem.access.decide import SYSTEM, can, field_access
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_record, diff
from tandem.contracts import services as contract_services
from tandem.contracts.choices import SubscriptionStatus
from tandem.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from tandem.pipeline import selectors as pipeline_selectors
from tandem.pipeline import services as pipeline_services
from tandem.pipeline.choices import OpportunityType
from tandem.renewals import engine, logic, selectors
from tandem.renewals.choices import RenewalOutcome
from tandem.renewals.models import RenewalRecord, RenewalSettings
from tandem.timeline.choices import ActivityType
from tandem.timeline.services import record_system_activity

SETTINGS_FIELDS = ("notice_days", "negotiation_days", "playbook", "discount_rules")


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors={field: [message]})


def _user(actor: Any) -> Any:
    return None if getattr(actor, "is_system", False) or getattr(actor, "pk", None) is None else actor


# --- settings --------------------------------------------------------------------------------------------------


def renewal_settings_update(*, actor: Any, notice_days: int | None = None, negotiation_days: int | None = None,
                            playbook: list[dict[str, Any]] | None = None,
                            discount_rules: list[dict[str, Any]] | None = None) -> RenewalSettings:
    """Change the windows, the playbook (``[{"offset_days", "title"}]``) or the discount rules
    (``[{"min_term_months", "discount_percent"}]``). Administrators only; audited."""
    if not can(actor, Action.CHANGE, resource="renewal_settings"):
        raise PermissionDenied(_("Only administrators change the renewal settings."))
    with transaction.atomic():
        row = RenewalSettings.objects.select_for_update().filter(pk=1).first() or RenewalSettings(pk=1)
        before = {name: getattr(row, name) for name in SETTINGS_FIELDS}
        if notice_days is not None:
            row.notice_days = notice_days
        if negotiation_days is not None:
            row.negotiation_days = negotiation_days
        errors: dict[str, list[str]] = {}
        if not 1 <= row.notice_days <= logic.MAX_NOTICE_DAYS:
            errors["notice_days"] = [_("Between 1 and %(limit)s days.") % {"limit": logic.MAX_NOTICE_DAYS}]
        if not 0 <= row.negotiation_days <= row.notice_days:
            errors["negotiation_days"] = [_("Between 0 and the notice (%(days)s days).") % {"days": row.notice_days}]
        try:
            steps = logic.playbook(playbook if playbook is not None else row.playbook)
            row.playbook = [{"offset_days": step.offset_days, "title": step.title} for step in steps]
        except logic.RuleError as error:
            errors["playbook"] = [str(error)]
        try:
            rules = logic.discount_rules(discount_rules if discount_rules is not None else row.discount_rules)
            row.discount_rules = [{"min_term_months": rule.min_term_months,
                                   "discount_percent": str(rule.discount_percent)} for rule in rules]
        except logic.RuleError as error:
            errors["discount_rules"] = [str(error)]
        if errors:
            raise ValidationFailed(_("The renewal settings are invalid."), errors=errors)
        row.updated_by = _user(actor)
        row.save()
        changes = diff(before, {name: getattr(row, name) for name in SETTINGS_FIELDS})
        if changes:
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=row, changes=changes)
    return row


def renewals_run(*, actor: Any = SYSTEM, today: datetime.date | None = None) -> engine.RunResult:
    """Run the engine now (the daily job, the CLI). People need the ``change`` right on the renewal settings."""
    if not can(actor, Action.CHANGE, resource="renewal_settings"):
        raise PermissionDenied(_("Only administrators run the renewal engine by hand."))
    return engine.renewals_run(today=today, actor=actor)


# --- outcomes ----------------------------------------------------------------------------------------------------


def _event(record: RenewalRecord, outcome: str) -> str:
    return {RenewalOutcome.RENEWED: "renewal_renewed", RenewalOutcome.DOWNGRADED: "renewal_downgraded",
            RenewalOutcome.CHURNED: "renewal_churned"}[outcome]  # type: ignore[index]


def record_outcome(*, actor: Any, record: RenewalRecord, outcome: str, reason: str = "") -> RenewalRecord:
    """Store the outcome of ``record`` with its timeline and audit entries (inside the caller's transaction; the
    caller has authorised and changed the opportunity and subscription)."""
    before = {"outcome": record.outcome, "reason": record.reason}
    record.outcome, record.reason, record.closed_at = outcome, reason.strip()[:500], timezone.now()
    record.save(update_fields=["outcome", "reason", "closed_at", "updated_at"])
    audit_record(actor=actor, action=AuditAction.CHANGE, obj=record,
                 changes=diff(before, {"outcome": record.outcome, "reason": record.reason}))
    event = _event(record, outcome)
    name = record.opportunity.name if record.opportunity else str(record.subscription)
    record_system_activity(account=record.account, type=ActivityType.SYSTEM_EVENT, actor=actor, source=record,
                           subject=engine.timeline_subject(event, name=name, reason=record.reason),
                           payload={"event": event, "renewal": record.public_id, "name": name,
                                    "reason": record.reason, "end_date": record.end_date.isoformat(),
                                    "opportunity": record.opportunity.public_id if record.opportunity else ""})
    return record


def churn_subscription(*, actor: Any, record: RenewalRecord, reason: str) -> None:
    """The subscription ends with its term: cancelled from the day after the end date, with the reason."""
    subscription = record.subscription
    contract_services.subscription_churn(actor=actor, subscription=subscription, reason=reason,
                                         effective_date=max(record.end_date + datetime.timedelta(days=1),
                                                            subscription.start_date))


def _open_record(actor: Any, record: RenewalRecord) -> Any:
    if record.outcome != RenewalOutcome.OPEN:
        raise _fail("outcome", _("This renewal is already closed (%(outcome)s).")
                    % {"outcome": record.get_outcome_display()})
    opportunity = record.opportunity
    if opportunity is None:
        raise _fail("opportunity", _("This renewal has no opportunity to close."))
    if not can(actor, Action.VIEW, record.subscription):
        raise NotFound(_("No such renewal."))
    if not can(actor, Action.CHANGE, opportunity):
        raise PermissionDenied(_("You may not close this renewal opportunity."))
    if not field_access(actor, "subscription", "pricing").can_write:
        raise PermissionDenied(_("Renewing, downgrading or ending a contract is price talk: it needs write access to "
                                 "the “pricing” field group (account managers, renewal specialists, managers)."))
    return opportunity


def _stage(code_kind: str) -> Any:
    pipeline = pipeline_selectors.pipeline_for_type(type=OpportunityType.RENEWAL)
    stage = next((stage for stage in pipeline_selectors.stages_of(pipeline=pipeline) if stage.kind == code_kind), None)
    if stage is None:
        raise _fail("stage", _("The renewal pipeline has no %(kind)s stage.") % {"kind": code_kind})
    return stage


def renewal_close(*, actor: Any, record: RenewalRecord, outcome: str, reason: str = "",
                  term_months: int | None = None, seats: int | None = None,
                  version: int | None = None) -> RenewalRecord:
    """Close a renewal:

    * ``renewed`` — the opportunity is won, the subscription renews for ``term_months`` (default: its term) and
      takes the multi-year discount of the settings when larger than its own;
    * ``downgraded`` — won with fewer ``seats``; a reason is required;
    * ``churned`` — the opportunity is lost; a reason is required; the subscription is cancelled from the day
      after its end date.

    ``version`` is the opportunity version the caller read (optimistic locking)."""
    reason = (reason or "").strip()
    if outcome not in (RenewalOutcome.RENEWED, RenewalOutcome.DOWNGRADED, RenewalOutcome.CHURNED):
        raise _fail("outcome", _("Choose renewed, downgraded or churned."))
    opportunity = _open_record(actor, record)
    subscription = record.subscription
    if outcome in (RenewalOutcome.DOWNGRADED, RenewalOutcome.CHURNED) and not reason:
        raise _fail("reason", _("Say why the customer churned or downgraded."))
    if len(reason) > 500:
        raise _fail("reason", _("At most %(limit)d characters (this has %(length)d).")
                    % {"limit": 500, "length": len(reason)})
    if term_months is not None and not 1 <= term_months <= logic.MAX_TERM_MONTHS:
        raise _fail("term_months", _("Between 1 and 120 months."))
    if outcome == RenewalOutcome.DOWNGRADED and (seats is None or seats < 1 or seats >= subscription.seats):
        raise _fail("seats", _("A downgrade renews with fewer seats than the %(seats)s of today (at least 1).")
                    % {"seats": subscription.seats})
    config = selectors.renewal_config()
    with transaction.atomic():
        if outcome == RenewalOutcome.CHURNED:
            pipeline_services.opportunity_update(actor=actor, opportunity=opportunity,
                                                 version=version or opportunity.version,
                                                 stage=_stage("lost"), loss_reason=reason)
            # the move published opportunity.stage_changed: handlers churned the subscription and recorded the
            # outcome with this reason (engine.record_loss)
            record.refresh_from_db()
            if record.outcome != RenewalOutcome.CHURNED:  # the handler found nothing open: churn here
                subscription.refresh_from_db()
                churn_subscription(actor=actor, record=record, reason=reason)
                record_outcome(actor=actor, record=record, outcome=outcome, reason=reason)
        else:
            # recorded first, with the reason given here: the win's opportunity.stage_changed then finds the renewal
            # closed (handlers record a win made elsewhere, on the board or through the API)
            record_outcome(actor=actor, record=record, outcome=outcome, reason=reason)
            term = term_months or subscription.term_months
            changes: dict[str, Any] = {"stage": _stage("won"), "renewal_term_months": term}
            if outcome == RenewalOutcome.DOWNGRADED:
                changes["seats_delta"] = (seats or 0) - subscription.seats
            pipeline_services.opportunity_update(actor=actor, opportunity=opportunity,
                                                 version=version or opportunity.version, **changes)
            subscription.refresh_from_db()
            _apply_multi_year_discount(actor, subscription, term, config)
    return record


def _apply_multi_year_discount(actor: Any, subscription: Any, term: int, config: selectors.RenewalConfig) -> None:
    if subscription.status != SubscriptionStatus.ACTIVE:
        return
    discount = logic.discounted_percent(subscription.discount_percent, term, config.discount_rules)
    if discount == subscription.discount_percent:
        return
    last = subscription.changes.order_by("-effective_date", "-id").first()
    effective = last.effective_date if last else subscription.start_date
    contract_services.subscription_amend(actor=actor, subscription=subscription, effective_date=effective,
                                         discount_percent=Decimal(discount),
                                         reason=_("Multi-year renewal discount (%(term)s months)") % {"term": term})
