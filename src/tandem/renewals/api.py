"""Renewals API: /api/v1/renewals (what ends in the next 30/60/90/180 days), one renewal with suggested prices,
closing it, the settings, and running the engine."""

from __future__ import annotations

from typing import Any

from ninja import Router

from tandem.access.decide import field_access
from tandem.api.auth import api_actor
from tandem.api.pagination import paginate
from tandem.core.exceptions import ValidationFailed
from tandem.identity.requests import AuthedRequest
from tandem.pipeline import selectors as pipeline_selectors
from tandem.renewals import engine, selectors, services
from tandem.renewals.models import RenewalRecord
from tandem.renewals.schemas import (
    RenewalCloseIn,
    RenewalDetailOut,
    RenewalDuePage,
    RenewalRunIn,
    RenewalRunOut,
    RenewalSettingsOut,
    RenewalSettingsPatch,
)

router = Router(tags=["renewals"])


def _person(user: Any) -> dict[str, str] | None:
    return {"email": user.email, "name": str(user)} if user else None


def _record_out(record: RenewalRecord) -> dict[str, Any]:
    opportunity = record.opportunity
    return {"id": record.public_id, "end_date": record.end_date, "outcome": record.outcome, "reason": record.reason,
            "assignment_basis": record.assignment_basis, "assignee": _person(record.assignee),
            "negotiation_opened_at": record.negotiation_opened_at,
            "opportunity": {"id": opportunity.public_id, "name": opportunity.name, "stage": opportunity.stage.name,
                            "stage_code": opportunity.stage.code, "owner": _person(opportunity.owner)}
            if opportunity else None}


def _settings_out(config: selectors.RenewalConfig) -> dict[str, Any]:
    return {"notice_days": config.notice_days, "negotiation_days": config.negotiation_days,
            "playbook": [{"offset_days": step.offset_days, "title": step.title} for step in config.playbook],
            "discount_rules": [{"min_term_months": rule.min_term_months, "discount_percent": rule.discount_percent}
                               for rule in config.discount_rules]}


@router.get("", response=RenewalDuePage, operation_id="renewals_renewal_list")
def renewal_list(request: AuthedRequest, within: int = 90, owner: str | None = None, limit: int | None = None,
                 cursor: str | None = None) -> dict[str, Any]:
    """Visible active subscriptions ending in the next ``within`` days (30, 60, 90 or 180), soonest first, with
    their renewal (opportunity, stage, owner), value in the workspace currency and health (null until a health
    provider is registered). ``owner`` is an email or ``me``: the renewal opportunity's owner, else the account
    owner."""
    actor = api_actor(request, scope="renewals:read")
    days = selectors.check_within(within)
    person = None
    if owner and owner.strip():
        person = actor if owner.strip().lower() == "me" else pipeline_selectors.active_user(email=owner)
        if person is None:
            raise ValidationFailed("Unknown user.", errors={"owner": [f"No active user with email {owner!r}."]})
    page = paginate(selectors.renewals_due(actor=actor, filters=selectors.RenewalFilters(within=days, owner=person)),
                    ordering=selectors.RENEWAL_ORDERING, limit=limit, cursor=cursor)
    pricing = field_access(actor, "subscription", "pricing").can_read
    items = []
    for row in selectors.renewal_rows(page.items):
        item = row.subscription
        items.append({"subscription": item.public_id, "account": {"id": item.account.public_id,
                                                                   "name": item.account.name},
                      "plan": item.plan.name, "end_date": item.end_date, "days_left": row.days_left,
                      "mrr": row.mrr if pricing else None, "arr": row.arr if pricing else None,
                      "currency": row.currency, "owner": _person(row.owner),
                      "renewal": _record_out(row.record) if row.record else None,
                      "health": {"label": row.health.label, "tone": row.health.tone} if row.health else None})
    return {"items": items, "next_cursor": page.next_cursor}


@router.get("/settings", response=RenewalSettingsOut, operation_id="renewals_settings_get")
def settings_get(request: AuthedRequest) -> dict[str, Any]:
    actor = api_actor(request, scope="renewals:read")
    selectors.renewal_settings_for(actor=actor)
    return _settings_out(selectors.renewal_config())


@router.patch("/settings", response=RenewalSettingsOut, operation_id="renewals_settings_update")
def settings_update(request: AuthedRequest, payload: RenewalSettingsPatch) -> dict[str, Any]:
    """Administrators: the notice and negotiation windows, the playbook and the multi-year discount rules."""
    actor = api_actor(request, scope="renewals:write")
    changes = payload.dict(exclude_unset=True)
    for name in ("playbook", "discount_rules"):
        if changes.get(name) is not None:
            changes[name] = [{key: str(value) if key == "discount_percent" else value for key, value in row.items()}
                             for row in changes[name]]
    services.renewal_settings_update(actor=actor, **changes)
    return _settings_out(selectors.renewal_config())


@router.post("/run", response=RenewalRunOut, operation_id="renewals_engine_run")
def run(request: AuthedRequest, payload: RenewalRunIn) -> dict[str, Any]:
    """Administrators: run the renewal engine now (``today`` sets its clock; idempotent)."""
    actor = api_actor(request, scope="renewals:write")
    result: engine.RunResult = services.renewals_run(actor=actor, today=payload.today)
    return {"today": result.today, "created": result.created, "skipped": result.skipped, "linked": result.linked,
            "negotiations": result.negotiations, "closed": result.closed}


def _detail(actor: Any, record: RenewalRecord) -> dict[str, Any]:
    pricing = field_access(actor, "subscription", "pricing").can_read
    prices = selectors.suggested_prices(record=record) if pricing else ()
    return {**_record_out(record), "subscription": record.subscription.public_id,
            "account": {"id": record.account.public_id, "name": record.account.name},
            "mrr": record.mrr if pricing else None, "currency": record.currency,
            "suggested_prices": [{"term_months": price.term_months, "discount_percent": price.discount_percent,
                                  "monthly": price.monthly, "total": price.total} for price in prices]}


@router.get("/{renewal_id}", response=RenewalDetailOut, operation_id="renewals_renewal_get")
def renewal_get(request: AuthedRequest, renewal_id: str) -> dict[str, Any]:
    """One renewal with the suggested monthly price and contract value for 1, 2 and 3-year terms."""
    actor = api_actor(request, scope="renewals:read")
    return _detail(actor, selectors.renewal_get(actor=actor, public_id=renewal_id))


@router.post("/{renewal_id}/close", response=RenewalDetailOut, operation_id="renewals_renewal_close")
def renewal_close(request: AuthedRequest, renewal_id: str, payload: RenewalCloseIn) -> dict[str, Any]:
    """Close a renewal: ``renewed`` (term_months; the multi-year discount applies), ``downgraded`` (fewer seats and
    a reason) or ``churned`` (a reason; the subscription is cancelled from the day after its end)."""
    actor = api_actor(request, scope="renewals:write")
    record = selectors.renewal_get(actor=actor, public_id=renewal_id)
    services.renewal_close(actor=actor, record=record, **payload.dict())
    return _detail(actor, selectors.renewal_get(actor=actor, public_id=renewal_id))



