"""Pipeline API: /api/v1/leads, /api/v1/pipelines, /api/v1/opportunities, /api/v1/forecast."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from ninja import Router
from ninja.responses import Status

from tandem.access.choices import Action
from tandem.access.decide import can, field_access
from tandem.accounts import selectors as account_selectors
from tandem.accounts.models import Account
from tandem.api.auth import api_actor
from tandem.api.pagination import paginate
from tandem.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from tandem.identity.models import User
from tandem.identity.requests import AuthedRequest
from tandem.pipeline import leads as lead_services
from tandem.pipeline import selectors, services
from tandem.pipeline.choices import LeadSource, LeadStatus, OpportunityType, StageKind
from tandem.pipeline.models import Lead, LeadCall, Opportunity, Pipeline, Stage
from tandem.pipeline.schemas import (
    ForecastOut,
    LeadCallIn,
    LeadCallOut,
    LeadCallPage,
    LeadDisqualifyIn,
    LeadIn,
    LeadOut,
    LeadPage,
    LeadPatch,
    LeadQualifyIn,
    LeadQualifyOut,
    OpportunityIn,
    OpportunityOut,
    OpportunityPage,
    OpportunityPatch,
    PipelineOut,
    PipelinePage,
    StageIn,
    StageOrderIn,
    StageOut,
    StagePatch,
)

leads_router = Router(tags=["leads"])
pipelines_router = Router(tags=["pipelines"])
opportunities_router = Router(tags=["opportunities"])
forecast_router = Router(tags=["opportunities"])


def _person(user: User | None) -> dict[str, str] | None:
    return {"email": user.email, "name": str(user)} if user else None


def _user(actor: Any, value: str | None, field: str) -> User | None:
    if value is None or not value.strip():
        return None
    if value.strip().lower() == "me":
        return actor
    user = selectors.active_user(email=value)
    if user is None:
        raise ValidationFailed("Unknown user.", errors={field: [f"No active user with email {value!r}."]})
    return user


def _account(actor: Any, public_id: str, field: str = "account") -> Account:
    try:
        return account_selectors.account_get(actor=actor, public_id=public_id)
    except NotFound:
        raise ValidationFailed("Unknown account.", errors={field: [f"No visible account with id {public_id}."]}) \
            from None


# --- leads ---------------------------------------------------------------------------------------------------


def _lead_out(lead: Lead) -> dict[str, Any]:
    return {
        **{name: getattr(lead, name) for name in (
            "company_name", "domain", "country", "contact_first_name", "contact_last_name", "contact_email",
            "contact_phone", "contact_title", "source", "trial_started_on", "trial_ends_on", "status",
            "disqualify_reason", "notes", "external_id", "qualified_at", "created_at", "updated_at")},
        "id": lead.public_id, "owner": _person(lead.owner),
        "account": {"id": lead.account.public_id, "name": lead.account.name} if lead.account else None,
        "opportunity": {"id": lead.opportunity.public_id, "name": lead.opportunity.name} if lead.opportunity else None,
        "calls": lead.call_count if hasattr(lead, "call_count") else lead.calls.count(),
    }


@leads_router.get("", response=LeadPage, operation_id="pipeline_lead_list")
def lead_list(request: AuthedRequest, limit: int | None = None, cursor: str | None = None, q: str = "",
              owner: str | None = None, status: LeadStatus | None = None, source: LeadSource | None = None,
              sort: str = "-created") -> dict[str, Any]:
    """Visible leads. ``owner`` is an email or ``me``; ``sort`` is -created, created, company or trial_end."""
    actor = api_actor(request, scope="leads:read")
    email = actor.email if (owner or "").strip().lower() == "me" else (owner or "").strip()
    filters = selectors.LeadFilters(search=q, owner_email=email, statuses=(status,) if status else (),
                                    source=source or "")
    leads, ordering = selectors.lead_sorted(leads=selectors.lead_list(actor=actor, filters=filters), sort=sort)
    page = paginate(selectors.with_call_counts(leads), ordering=ordering, limit=limit, cursor=cursor)
    return {"items": [_lead_out(lead) for lead in page.items], "next_cursor": page.next_cursor}


@leads_router.post("", response={201: LeadOut}, operation_id="pipeline_lead_create")
def lead_create(request: AuthedRequest, payload: LeadIn) -> Status:
    """A new lead, e.g. from a trial sign-up form."""
    actor = api_actor(request, scope="leads:write")
    fields = payload.dict()
    fields["owner"] = _user(actor, fields.pop("owner"), "owner") or actor
    lead = lead_services.lead_create(actor=actor, **fields)
    return Status(201, _lead_out(lead))


@leads_router.get("/{lead_id}", response=LeadOut, operation_id="pipeline_lead_get")
def lead_get(request: AuthedRequest, lead_id: str) -> dict[str, Any]:
    actor = api_actor(request, scope="leads:read")
    return _lead_out(selectors.lead_get(actor=actor, public_id=lead_id))


@leads_router.patch("/{lead_id}", response=LeadOut, operation_id="pipeline_lead_update")
def lead_update(request: AuthedRequest, lead_id: str, payload: LeadPatch) -> dict[str, Any]:
    actor = api_actor(request, scope="leads:write")
    lead = selectors.lead_get(actor=actor, public_id=lead_id)
    changes = payload.dict(exclude_unset=True)
    if "owner" in changes:
        changes["owner"] = _user(actor, changes["owner"], "owner")
    return _lead_out(lead_services.lead_update(actor=actor, lead=lead, **changes))


@leads_router.delete("/{lead_id}", response={204: None}, operation_id="pipeline_lead_delete")
def lead_delete(request: AuthedRequest, lead_id: str) -> Status:
    actor = api_actor(request, scope="leads:write")
    lead_services.lead_delete(actor=actor, lead=selectors.lead_get(actor=actor, public_id=lead_id))
    return Status(204, None)


def _call_out(call: LeadCall) -> dict[str, Any]:
    return {"id": call.pk, "caller": _person(call.caller), "outcome": call.outcome, "notes": call.notes,
            "occurred_at": call.occurred_at}


@leads_router.get("/{lead_id}/calls", response=LeadCallPage, operation_id="pipeline_lead_call_list")
def lead_call_list(request: AuthedRequest, lead_id: str, limit: int | None = None,
                   cursor: str | None = None) -> dict[str, Any]:
    actor = api_actor(request, scope="leads:read")
    lead = selectors.lead_get(actor=actor, public_id=lead_id)
    page = paginate(selectors.lead_calls(actor=actor, lead=lead), ordering=("-occurred_at", "-id"), limit=limit,
                    cursor=cursor)
    return {"items": [_call_out(call) for call in page.items], "next_cursor": page.next_cursor}


@leads_router.post("/{lead_id}/calls", response={201: LeadCallOut}, operation_id="pipeline_lead_call_create")
def lead_call_create(request: AuthedRequest, lead_id: str, payload: LeadCallIn) -> Status:
    """Log a call on the lead; it counts toward your calls (SDR KPI)."""
    actor = api_actor(request, scope="leads:write")
    lead = selectors.lead_get(actor=actor, public_id=lead_id)
    call = lead_services.lead_call_log(actor=actor, lead=lead, outcome=payload.outcome, notes=payload.notes,
                                       occurred_at=payload.occurred_at)
    return Status(201, _call_out(call))


@leads_router.post("/{lead_id}/disqualify", response=LeadOut, operation_id="pipeline_lead_disqualify")
def lead_disqualify(request: AuthedRequest, lead_id: str, payload: LeadDisqualifyIn) -> dict[str, Any]:
    actor = api_actor(request, scope="leads:write")
    lead = selectors.lead_get(actor=actor, public_id=lead_id)
    return _lead_out(lead_services.lead_disqualify(actor=actor, lead=lead, reason=payload.reason))


@leads_router.post("/{lead_id}/qualify", response=LeadQualifyOut, operation_id="pipeline_lead_qualify")
def lead_qualify(request: AuthedRequest, lead_id: str, payload: LeadQualifyIn) -> dict[str, Any]:
    """Turn the lead into an account (or link ``account``), a contact and a new-business opportunity owned by
    ``ae``, and hand it to the AE (an SDR → AE handoff when you are an SDR). All or nothing."""
    actor = api_actor(request, scope="leads:write")
    if not api_token_has(request, "opportunities:write"):
        raise PermissionDenied("This API token lacks the 'opportunities:write' scope.")
    lead = selectors.lead_get(actor=actor, public_id=lead_id)
    result = lead_services.lead_qualify(
        actor=actor, lead=lead, ae=_user(actor, payload.ae, "ae"),
        account=_account(actor, payload.account) if payload.account else None,
        opportunity_name=payload.opportunity_name, close_date=payload.close_date, mrr_delta=payload.mrr_delta,
        one_off_amount=payload.one_off_amount, currency=payload.currency, note=payload.note)
    return {"lead": _lead_out(result.lead), "account": {"id": result.account.public_id, "name": result.account.name},
            "contact": {"id": result.contact.public_id, "name": str(result.contact)} if result.contact else None,
            "opportunity": _opportunity_out(actor, result.opportunity),
            "handoff": result.handoff.public_id if result.handoff else None,
            "account_created": result.account_created}


def api_token_has(request: AuthedRequest, scope: str) -> bool:
    token = getattr(request, "api_token", None)
    return token is None or scope in token.scopes


# --- pipelines -----------------------------------------------------------------------------------------------


def _stage_out(stage: Stage) -> dict[str, Any]:
    return {"id": stage.public_id, "code": stage.code, "name": stage.name, "position": stage.position,
            "probability": stage.probability, "kind": stage.kind}


def _pipeline_out(pipeline: Pipeline) -> dict[str, Any]:
    return {"id": pipeline.public_id, "name": pipeline.name, "opportunity_type": pipeline.opportunity_type,
            "stages": [_stage_out(stage) for stage in selectors.stages_of(pipeline=pipeline)]}


def _require_view_pipelines(actor: Any) -> None:
    if not can(actor, Action.VIEW, resource="pipeline"):
        raise PermissionDenied("You may not see pipelines.")


@pipelines_router.get("", response=PipelinePage, operation_id="pipeline_pipeline_list")
def pipeline_list(request: AuthedRequest) -> dict[str, Any]:
    """Every pipeline (one per opportunity type) with its stages in order."""
    actor = api_actor(request, scope="opportunities:read")
    _require_view_pipelines(actor)
    return {"items": [_pipeline_out(pipeline) for pipeline in selectors.pipeline_list()], "next_cursor": None}


@pipelines_router.get("/{pipeline_id}", response=PipelineOut, operation_id="pipeline_pipeline_get")
def pipeline_get(request: AuthedRequest, pipeline_id: str) -> dict[str, Any]:
    actor = api_actor(request, scope="opportunities:read")
    _require_view_pipelines(actor)
    return _pipeline_out(selectors.pipeline_get(public_id=pipeline_id))


@pipelines_router.post("/{pipeline_id}/stages", response={201: StageOut}, operation_id="pipeline_stage_create")
def stage_create(request: AuthedRequest, pipeline_id: str, payload: StageIn) -> Status:
    actor = api_actor(request, scope="opportunities:write")
    _require_view_pipelines(actor)
    stage = services.stage_create(actor=actor, pipeline=selectors.pipeline_get(public_id=pipeline_id),
                                  name=payload.name, probability=payload.probability, kind=payload.kind,
                                  position=payload.position)
    return Status(201, _stage_out(stage))


@pipelines_router.patch("/{pipeline_id}/stages/{stage_id}", response=StageOut, operation_id="pipeline_stage_update")
def stage_update(request: AuthedRequest, pipeline_id: str, stage_id: str, payload: StagePatch) -> dict[str, Any]:
    actor = api_actor(request, scope="opportunities:write")
    _require_view_pipelines(actor)
    stage = _stage_of(pipeline_id, stage_id)
    stage = services.stage_update(actor=actor, stage=stage, **payload.dict(exclude_unset=True, exclude_none=True))
    return _stage_out(stage)


@pipelines_router.delete("/{pipeline_id}/stages/{stage_id}", response={204: None},
                         operation_id="pipeline_stage_delete")
def stage_delete(request: AuthedRequest, pipeline_id: str, stage_id: str) -> Status:
    actor = api_actor(request, scope="opportunities:write")
    _require_view_pipelines(actor)
    services.stage_delete(actor=actor, stage=_stage_of(pipeline_id, stage_id))
    return Status(204, None)


@pipelines_router.put("/{pipeline_id}/stage-order", response=PipelineOut, operation_id="pipeline_stage_reorder")
def stage_reorder(request: AuthedRequest, pipeline_id: str, payload: StageOrderIn) -> dict[str, Any]:
    actor = api_actor(request, scope="opportunities:write")
    _require_view_pipelines(actor)
    pipeline = selectors.pipeline_get(public_id=pipeline_id)
    services.stages_reorder(actor=actor, pipeline=pipeline, order=payload.stages)
    return _pipeline_out(pipeline)


def _stage_of(pipeline_id: str, stage_id: str) -> Stage:
    stage = selectors.stage_get(public_id=stage_id)
    if stage.pipeline.public_id != pipeline_id:
        raise NotFound("No such stage.")
    return stage


# --- opportunities -------------------------------------------------------------------------------------------


def _opportunity_out(actor: Any, opportunity: Opportunity) -> dict[str, Any]:
    pricing = field_access(actor, "opportunity", "pricing").can_read
    return {
        "id": opportunity.public_id,
        "account": {"id": opportunity.account.public_id, "name": opportunity.account.name},
        "type": opportunity.type, "name": opportunity.name, "pipeline": opportunity.stage.pipeline.public_id,
        "stage": _stage_out(opportunity.stage),
        "mrr_delta": opportunity.mrr_delta if pricing else None,
        "one_off_amount": opportunity.one_off_amount if pricing else None,
        "currency": opportunity.currency, "close_date": opportunity.close_date, "closed_on": opportunity.closed_on,
        "owner": _person(opportunity.owner), "competitors": opportunity.competitors,
        "loss_reason": opportunity.loss_reason,
        "subscription": opportunity.subscription.public_id if opportunity.subscription else None,
        "target_plan": opportunity.target_plan.code if opportunity.target_plan else None,
        "seats_delta": opportunity.seats_delta, "add_ons": opportunity.add_ons,
        "renewal_term_months": opportunity.renewal_term_months, "created_by": _person(opportunity.created_by),
        "version": opportunity.version, "created_at": opportunity.created_at, "updated_at": opportunity.updated_at,
    }


def _stage(value: str | None, type: str) -> Stage | None:
    if not value:
        return None
    found = selectors.stage_by_code(type=type, code=value) or selectors.stage_by_public_id(public_id=value)
    if found is None:
        raise ValidationFailed("Unknown stage.", errors={"stage": [f"No stage {value!r}; use a stage's id or the "
                                                                   f"code of a stage of the {type} pipeline."]})
    return found


def _references(actor: Any, changes: dict[str, Any], type: str) -> dict[str, Any]:
    if "owner" in changes:
        changes["owner"] = _user(actor, changes["owner"], "owner")
    if "stage" in changes:
        changes["stage"] = _stage(changes["stage"], type)
        if changes["stage"] is None:
            raise ValidationFailed("A stage is required.", errors={"stage": ["May not be null."]})
    if "subscription" in changes:
        changes["subscription"] = selectors.visible_subscription(actor=actor, public_id=changes["subscription"]) \
            if changes["subscription"] else None
    if "target_plan" in changes:
        changes["target_plan"] = selectors.plan_by_code(code=changes["target_plan"]) if changes["target_plan"] \
            else None
    return changes


@opportunities_router.get("", response=OpportunityPage, operation_id="pipeline_opportunity_list")
def opportunity_list(request: AuthedRequest, limit: int | None = None, cursor: str | None = None, q: str = "",
                     owner: str | None = None, type: OpportunityType | None = None, stage: str | None = None,
                     account: str | None = None, close_month: datetime.date | None = None,
                     state: StageKind | None = None, sort: str = "close") -> dict[str, Any]:
    """Visible opportunities. ``owner`` is an email or ``me``; ``close_month`` any day of the month; ``state``
    open, won or lost; ``sort`` close, -close, -created or name."""
    actor = api_actor(request, scope="opportunities:read")
    email = actor.email if (owner or "").strip().lower() == "me" else (owner or "").strip()
    filters = selectors.OpportunityFilters(search=q, owner_email=email, type=type or "", stage_public_id=stage or "",
                                           account_public_id=account or "", close_month=close_month,
                                           state=state or "")
    items, ordering = selectors.opportunity_sorted(items=selectors.opportunity_list(actor=actor, filters=filters),
                                                   sort=sort)
    page = paginate(items.select_related("subscription", "target_plan", "created_by"), ordering=ordering,
                    limit=limit, cursor=cursor)
    return {"items": [_opportunity_out(actor, item) for item in page.items], "next_cursor": page.next_cursor}


@opportunities_router.post("", response={201: OpportunityOut}, operation_id="pipeline_opportunity_create")
def opportunity_create(request: AuthedRequest, payload: OpportunityIn) -> Status:
    """A new opportunity. Sending an amount without write access to the field group ``pricing`` is a 403 that
    names the group (a CSM creates an expansion without a price; it goes to the account's AM)."""
    actor = api_actor(request, scope="opportunities:write")
    if not can(actor, Action.CREATE, resource="opportunity"):
        raise PermissionDenied("You may not create opportunities.")
    fields = _references(actor, {key: value for key, value in payload.dict().items()
                                  if not (key == "stage" and value is None)}, payload.type)
    account = _account(actor, fields.pop("account"))
    opportunity = services.opportunity_create(actor=actor, account=account, **fields)
    return Status(201, _opportunity_out(actor, opportunity))


@opportunities_router.get("/{opportunity_id}", response=OpportunityOut, operation_id="pipeline_opportunity_get")
def opportunity_get(request: AuthedRequest, opportunity_id: str) -> dict[str, Any]:
    actor = api_actor(request, scope="opportunities:read")
    return _opportunity_out(actor, selectors.opportunity_get(actor=actor, public_id=opportunity_id))


@opportunities_router.patch("/{opportunity_id}", response=OpportunityOut,
                            operation_id="pipeline_opportunity_update")
def opportunity_update(request: AuthedRequest, opportunity_id: str, payload: OpportunityPatch) -> dict[str, Any]:
    """Change the given fields, e.g. ``{"version": 3, "stage": "won"}``. ``version`` is required: a stale one is a
    409 and nothing changes."""
    actor = api_actor(request, scope="opportunities:write")
    opportunity = selectors.opportunity_get(actor=actor, public_id=opportunity_id)
    if not can(actor, Action.CHANGE, opportunity):
        raise PermissionDenied("You may not change this opportunity.")
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version", None)
    for name in ("type", "name", "close_date", "currency", "competitors", "add_ons"):
        if name in changes and changes[name] is None:
            raise ValidationFailed("This field cannot be null.", errors={name: ["May not be null."]})
    if "loss_reason" in changes and changes["loss_reason"] is None:
        changes["loss_reason"] = ""
    changes = _references(actor, changes, changes.get("type") or opportunity.type)
    return _opportunity_out(actor, services.opportunity_update(actor=actor, opportunity=opportunity,
                                                               version=version, **changes))


@opportunities_router.delete("/{opportunity_id}", response={204: None}, operation_id="pipeline_opportunity_delete")
def opportunity_delete(request: AuthedRequest, opportunity_id: str) -> Status:
    actor = api_actor(request, scope="opportunities:write")
    services.opportunity_delete(actor=actor, opportunity=selectors.opportunity_get(actor=actor,
                                                                                   public_id=opportunity_id))
    return Status(204, None)


@forecast_router.get("", response=ForecastOut, operation_id="pipeline_forecast_get")
def forecast_get(request: AuthedRequest, start: datetime.date | None = None, months: int = 3,
                 owner: str | None = None, type: OpportunityType | None = None) -> dict[str, Any]:
    """The weighted forecast of visible opportunities closing in ``months`` months from ``start``'s month (default
    this month), by month, owner and currency: open amounts, amounts × stage probability, and won amounts."""
    actor = api_actor(request, scope="opportunities:read")
    if not field_access(actor, "opportunity", "pricing").can_read:
        raise PermissionDenied("The forecast shows amounts of the field group 'pricing', which you may not read.")
    if not 1 <= months <= 36:
        raise ValidationFailed("months must be between 1 and 36.", errors={"months": ["Between 1 and 36."]})
    email = actor.email if (owner or "").strip().lower() == "me" else (owner or "").strip()
    result = selectors.forecast(actor=actor, start=start or timezone.localdate(), months=months, owner_email=email,
                                type=type or "")
    return {"start": result.start, "months": result.months, "rows": [
        {**row.__dict__, "owner": _person(result.owners.get(row.owner_id)) if row.owner_id else None}
        for row in result.rows]}
