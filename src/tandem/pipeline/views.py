"""Pipeline pages: leads, the kanban board, the opportunity list and forecast, opportunity forms, stage editor."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.access.choices import Action
from tandem.access.decide import can, field_access
from tandem.accounts import selectors as account_selectors
from tandem.api.pagination import paginate
from tandem.contracts import selectors as contract_selectors
from tandem.core.exceptions import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from tandem.core.forms import add_domain_errors
from tandem.identity.requests import AuthedRequest
from tandem.pipeline import leads as lead_services
from tandem.pipeline import selectors, services
from tandem.pipeline.choices import LeadSource, LeadStatus, OpportunityType, StageKind
from tandem.pipeline.forms import (
    LeadCallForm,
    LeadDisqualifyForm,
    LeadForm,
    LeadQualifyForm,
    OpportunityForm,
    StageForm,
)
from tandem.pipeline.logic import add_months, month_start
from tandem.pipeline.models import Lead, Opportunity


def _person(actor: Any, value: str) -> str:
    return actor.email if value.strip().lower() == "me" else value.strip()


def _user_by_email(value: str, field: str) -> Any:
    if not value:
        return None
    user = selectors.active_user(email=value)
    if user is None:
        raise ValidationFailed(_("Unknown user."), errors={field: [_("Choose an active colleague.")]})
    return user


# --- leads ---------------------------------------------------------------------------------------------------


def _lead_or_404(actor: Any, public_id: str) -> Lead:
    try:
        return selectors.lead_get(actor=actor, public_id=public_id)
    except NotFound:
        raise Http404 from None


@login_required
def lead_list(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    if not can(actor, Action.VIEW, resource="lead"):
        raise Http404
    params = request.GET
    owner = params.get("owner", "me" if actor.roles.filter(code="sdr").exists() else "").strip()
    status = params.get("status", "open")
    statuses: tuple[str, ...] = ("new", "working") if status == "open" else (
        (status,) if status in LeadStatus.values else ())
    filters = selectors.LeadFilters(search=params.get("q", "").strip(), owner_email=_person(actor, owner),
                                    statuses=statuses,
                                    source=params.get("source", "") if params.get("source") in LeadSource.values
                                    else "")
    leads, ordering = selectors.lead_sorted(leads=selectors.lead_list(actor=actor, filters=filters), sort="-created")
    try:
        page = paginate(selectors.with_call_counts(leads), ordering=ordering, limit=50,
                        cursor=params.get("cursor") or None)
    except DomainError:
        return redirect("pipeline:lead-list")
    query = params.copy()
    query.pop("cursor", None)
    return render(request, "pipeline/lead_list.html", {
        "nav_active": "leads", "page": page, "filters": filters, "owner": owner, "status": status,
        "statuses": LeadStatus.choices, "sources": LeadSource.choices, "query": query.urlencode(),
        "people": account_selectors.account_people(actor=actor), "can_create": can(actor, Action.CREATE,
                                                                                   resource="lead")})


def _lead_values(data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    values["owner"] = _user_by_email(values.get("owner") or "", "owner")
    return values


@login_required
def lead_create(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    if not can(actor, Action.CREATE, resource="lead"):
        raise Http404
    people = account_selectors.account_people(actor=actor)
    form = LeadForm(request.POST or None, people=people, initial={"owner": actor.email})
    if request.method == "POST" and form.is_valid():
        try:
            values = _lead_values(form.cleaned_data)
            values["owner"] = values["owner"] or None
            lead = lead_services.lead_create(actor=actor, **values)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Lead created."))
            return redirect("pipeline:lead-detail", lead.public_id)
    return render(request, "pipeline/lead_form.html", {"nav_active": "leads", "form": form})


@login_required
def lead_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    lead = _lead_or_404(actor, public_id)
    if not can(actor, Action.CHANGE, lead):
        raise PermissionDenied(_("You may not change this lead."))
    initial = {name: getattr(lead, name) for name in (
        "company_name", "domain", "country", "contact_first_name", "contact_last_name", "contact_email",
        "contact_phone", "contact_title", "source", "trial_started_on", "trial_ends_on", "notes")}
    initial["owner"] = lead.owner.email if lead.owner else ""
    form = LeadForm(request.POST or None, people=account_selectors.account_people(actor=actor), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            lead_services.lead_update(actor=actor, lead=lead, **_lead_values(form.cleaned_data))
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Lead saved."))
            return redirect("pipeline:lead-detail", lead.public_id)
    return render(request, "pipeline/lead_form.html", {"nav_active": "leads", "form": form, "lead": lead})


def _lead_page(request: AuthedRequest, lead: Lead, *, call_form: Any = None, qualify_form: Any = None,
               disqualify_form: Any = None, status: int = 200) -> HttpResponse:
    actor = request.user
    can_change = can(actor, Action.CHANGE, lead)
    can_price = field_access(actor, "opportunity", "pricing").can_write
    aes = account_selectors.account_people(actor=actor).filter(roles__code="ae")
    return render(request, "pipeline/lead_detail.html", {
        "nav_active": "leads", "lead": lead, "calls": selectors.lead_calls(actor=actor, lead=lead)[:50],
        "can_change": can_change, "is_open": lead.status in ("new", "working"),
        "call_form": call_form or LeadCallForm(),
        "qualify_form": qualify_form or LeadQualifyForm(aes=aes, can_price=can_price, initial={
            "opportunity_name": _("%(company)s — new business") % {"company": lead.company_name},
            "close_date": timezone.localdate() + datetime.timedelta(days=30)}),
        "disqualify_form": disqualify_form or LeadDisqualifyForm(),
    }, status=status)


@login_required
def lead_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    return _lead_page(request, _lead_or_404(request.user, public_id))


@login_required
@require_POST
def lead_call(request: AuthedRequest, public_id: str) -> HttpResponse:
    lead = _lead_or_404(request.user, public_id)
    form = LeadCallForm(request.POST)
    if form.is_valid():
        try:
            lead_services.lead_call_log(actor=request.user, lead=lead, **form.cleaned_data)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Call logged."))
            return redirect("pipeline:lead-detail", lead.public_id)
    return _lead_page(request, lead, call_form=form, status=422)


@login_required
@require_POST
def lead_qualify(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    lead = _lead_or_404(actor, public_id)
    aes = account_selectors.account_people(actor=actor).filter(roles__code="ae")
    form = LeadQualifyForm(request.POST, aes=aes, can_price=field_access(actor, "opportunity", "pricing").can_write)
    if form.is_valid():
        data = form.cleaned_data
        try:
            account = None
            if data["account"].strip():
                try:
                    account = account_selectors.account_get(actor=actor, public_id=data["account"].strip())
                except NotFound:
                    raise ValidationFailed(_("Unknown account."), errors={
                        "account": [_("Pick an account from the suggestions.")]}) from None
            result = lead_services.lead_qualify(
                actor=actor, lead=lead, ae=_user_by_email(data["ae"], "ae"), account=account,
                opportunity_name=data["opportunity_name"], close_date=data["close_date"],
                mrr_delta=data.get("mrr_delta"), one_off_amount=data.get("one_off_amount"),
                currency=data["currency"] or None, note=data["note"])
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Lead qualified: the opportunity is with %(ae)s.")
                             % {"ae": result.opportunity.owner})
            return redirect("pipeline:opportunity-detail", result.opportunity.public_id)
    return _lead_page(request, lead, qualify_form=form, status=422)


@login_required
@require_POST
def lead_disqualify(request: AuthedRequest, public_id: str) -> HttpResponse:
    lead = _lead_or_404(request.user, public_id)
    form = LeadDisqualifyForm(request.POST)
    if form.is_valid():
        try:
            lead_services.lead_disqualify(actor=request.user, lead=lead, reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Lead disqualified."))
            return redirect("pipeline:lead-detail", lead.public_id)
    return _lead_page(request, lead, disqualify_form=form, status=422)


# --- the board, the list, the forecast -----------------------------------------------------------------------


def _require_pipeline_view(actor: Any) -> None:
    if not can(actor, Action.VIEW, resource="opportunity") or not can(actor, Action.VIEW, resource="pipeline"):
        raise Http404


def _board_context(request: AuthedRequest, type_code: str, owner: str, error: str = "",
                   notice: str = "") -> dict[str, Any]:
    actor = request.user
    pipeline = selectors.pipeline_for_type(type=type_code)
    return {"nav_active": "pipeline", "pipeline": pipeline, "type_code": type_code, "types": OpportunityType.choices,
            "owner": owner, "people": account_selectors.account_people(actor=actor),
            "columns": selectors.board(actor=actor, pipeline=pipeline, owner_email=_person(actor, owner)),
            "can_read_pricing": field_access(actor, "opportunity", "pricing").can_read, "error": error,
            "notice": notice, "can_create": can(actor, Action.CREATE, resource="opportunity")}


@login_required
def board(request: AuthedRequest) -> HttpResponse:
    _require_pipeline_view(request.user)
    type_code = request.GET.get("type", OpportunityType.NEW_BUSINESS)
    if type_code not in OpportunityType.values:
        type_code = OpportunityType.NEW_BUSINESS
    return render(request, "pipeline/board.html", _board_context(request, type_code, request.GET.get("owner", "")))


def _opportunity_or_404(actor: Any, public_id: str) -> Opportunity:
    try:
        return selectors.opportunity_get(actor=actor, public_id=public_id)
    except NotFound:
        raise Http404 from None


def _won_without_contract(actor: Any, public_id: str) -> str:
    """A new-business deal won without a plan and seats starts no subscription: say so rather than stay silent."""
    moved = _opportunity_or_404(actor, public_id)
    if moved.type == OpportunityType.NEW_BUSINESS and moved.stage.kind == StageKind.WON \
            and moved.subscription_id is None:
        return _("%(name)s is won, but no subscription was started: it names no plan and seats. Add them to the "
                 "opportunity and move it again, or start the subscription on the account page.") % {
            "name": moved.name}
    return ""


@login_required
@require_POST
def opportunity_move(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Move to another stage: the board's drag and drop (htmx: answers the refreshed board) or the stage select
    (without JavaScript: redirects back)."""
    actor = request.user
    opportunity = _opportunity_or_404(actor, public_id)
    error = ""
    try:
        stage = selectors.stage_by_public_id(public_id=request.POST.get("stage", ""))
        if stage is None:
            raise ValidationFailed(_("Choose a stage."), errors={"stage": [_("Choose a stage.")]})
        version_text = request.POST.get("version", "")
        services.opportunity_move(actor=actor, opportunity=opportunity, stage=stage,
                                  version=int(version_text) if version_text.isdigit() else None,
                                  loss_reason=request.POST.get("loss_reason") or None)
    except DomainError as problem:
        error = problem.message + "".join(f" {message}" for messages_ in problem.errors.values()
                                          for message in messages_ if message != problem.message)
    notice = "" if error else _won_without_contract(actor, public_id)
    next_url = request.POST.get("next", "")
    if request.htmx:
        response = render(request, "pipeline/board_columns.html",
                          _board_context(request, opportunity.type, request.POST.get("owner", ""), error=error,
                                         notice=notice))
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Opportunity moved."))
        if notice:
            messages.warning(request, notice)
    if next_url.startswith("/") and not next_url.startswith("//"):
        return redirect(next_url)
    return redirect(f"{reverse('pipeline:board')}?type={opportunity.type}")


@login_required
def opportunity_list(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    _require_pipeline_view(actor)
    params = request.GET
    owner = params.get("owner", "").strip()
    close_month = None
    if params.get("close_month"):
        try:
            close_month = datetime.date.fromisoformat(params["close_month"] + "-01")
        except ValueError:
            close_month = None
    filters = selectors.OpportunityFilters(
        search=params.get("q", "").strip(), owner_email=_person(actor, owner),
        type=params.get("type", "") if params.get("type") in OpportunityType.values else "",
        stage_public_id=params.get("stage", "").strip(), close_month=close_month,
        state=params.get("state", "") if params.get("state") in StageKind.values else "",
        account_public_id=params.get("account", "").strip())
    items, ordering = selectors.opportunity_sorted(items=selectors.opportunity_list(actor=actor, filters=filters),
                                                   sort="close")
    try:
        page = paginate(items, ordering=ordering, limit=50, cursor=params.get("cursor") or None)
    except DomainError:
        return redirect("pipeline:opportunity-list")
    query = params.copy()
    query.pop("cursor", None)
    return render(request, "pipeline/opportunity_list.html", {
        "nav_active": "pipeline", "page": page, "filters": filters, "owner": owner,
        "close_month": params.get("close_month", ""), "types": OpportunityType.choices,
        "states": StageKind.choices, "stages": selectors.all_stages(), "query": query.urlencode(),
        "people": account_selectors.account_people(actor=actor),
        "can_read_pricing": field_access(actor, "opportunity", "pricing").can_read,
        "can_create": can(actor, Action.CREATE, resource="opportunity")})


@login_required
def forecast(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    _require_pipeline_view(actor)
    if not field_access(actor, "opportunity", "pricing").can_read:
        raise PermissionDenied(_("The forecast shows amounts you may not read."))
    months = request.GET.get("months", "3")
    months_count = int(months) if months.isdigit() and 1 <= int(months) <= 12 else 3
    owner = request.GET.get("owner", "").strip()
    start = month_start(timezone.localdate())
    result = selectors.forecast(actor=actor, start=start, months=months_count, owner_email=_person(actor, owner))
    rows = [{"row": row, "owner": result.owners.get(row.owner_id) if row.owner_id else None} for row in result.rows]
    return render(request, "pipeline/forecast.html", {
        "nav_active": "pipeline", "rows": rows, "months": months_count, "owner": owner, "start": start,
        "end": add_months(start, months_count) - datetime.timedelta(days=1),
        "people": account_selectors.account_people(actor=actor)})


# --- opportunity pages ---------------------------------------------------------------------------------------


def _opportunity_form(request: AuthedRequest, *, data: Any = None, initial: dict[str, Any] | None = None,
                      account: Any = None) -> OpportunityForm:
    actor = request.user
    subscriptions = contract_selectors.subscriptions_of_account(actor=actor, account=account) if account else []
    return OpportunityForm(data, initial=initial or {}, stages=selectors.all_stages(),
                           people=account_selectors.account_people(actor=actor), subscriptions=subscriptions,
                           plans=selectors.plans(), can_price=field_access(actor, "opportunity", "pricing").can_write)


def _opportunity_values(actor: Any, data: dict[str, Any], type_code: str) -> dict[str, Any]:
    values = {key: value for key, value in data.items() if key not in ("account", "version")}
    values["owner"] = _user_by_email(values.get("owner") or "", "owner")
    values["stage"] = selectors.stage_by_public_id(public_id=values["stage"]) if values.get("stage") else None
    values["currency"] = values.get("currency") or None
    values["subscription"] = selectors.visible_subscription(actor=actor, public_id=values["subscription"]) \
        if values.get("subscription") else None
    values["target_plan"] = selectors.plan_by_code(code=values["target_plan"]) if values.get("target_plan") else None
    for name in ("mrr_delta", "one_off_amount"):
        if name in values and values[name] is None:
            values.pop(name)
    return values


@login_required
def opportunity_create(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    if not can(actor, Action.CREATE, resource="opportunity"):
        raise Http404
    account = None
    account_id = (request.POST.get("account") or request.GET.get("account") or "").strip()
    if account_id:
        try:
            account = account_selectors.account_get(actor=actor, public_id=account_id)
        except NotFound:
            account = None
    initial = {"account": account_id, "type": request.GET.get("type", OpportunityType.NEW_BUSINESS),
               "close_date": timezone.localdate() + datetime.timedelta(days=30)}
    form = _opportunity_form(request, data=request.POST or None, initial=initial, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            if account is None:
                raise ValidationFailed(_("Unknown account."),
                                       errors={"account": [_("Pick an account from the suggestions.")]})
            values = _opportunity_values(actor, form.cleaned_data, form.cleaned_data["type"])
            if values["stage"] is None:
                values.pop("stage")
            opportunity = services.opportunity_create(actor=actor, account=account, **values)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Opportunity created."))
            return redirect("pipeline:opportunity-detail", opportunity.public_id)
    return render(request, "pipeline/opportunity_form.html", {"nav_active": "pipeline", "form": form})


@login_required
def opportunity_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    opportunity = _opportunity_or_404(actor, public_id)
    return render(request, "pipeline/opportunity_detail.html", {
        "nav_active": "pipeline", "opportunity": opportunity,
        "stages": selectors.stages_of(pipeline=opportunity.stage.pipeline),
        "history": selectors.opportunity_stage_history(actor=actor, opportunity=opportunity)[:20],
        "can_change": can(actor, Action.CHANGE, opportunity),
        "can_read_pricing": field_access(actor, "opportunity", "pricing").can_read})


@login_required
def opportunity_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    opportunity = _opportunity_or_404(actor, public_id)
    if not can(actor, Action.CHANGE, opportunity):
        raise PermissionDenied(_("You may not change this opportunity."))
    initial = {name: getattr(opportunity, name) for name in (
        "type", "name", "mrr_delta", "one_off_amount", "currency", "close_date", "loss_reason", "seats_delta",
        "renewal_term_months", "version")}
    initial.update({"account": opportunity.account.public_id, "stage": opportunity.stage.public_id,
                    "owner": opportunity.owner.email if opportunity.owner else "",
                    "competitors": ", ".join(opportunity.competitors), "add_ons": ", ".join(opportunity.add_ons),
                    "subscription": opportunity.subscription.public_id if opportunity.subscription else "",
                    "target_plan": opportunity.target_plan.code if opportunity.target_plan else ""})
    if not field_access(actor, "opportunity", "pricing").can_read:
        initial.update(mrr_delta=None, one_off_amount=None)
    form = _opportunity_form(request, data=request.POST or None, initial=initial, account=opportunity.account)
    form.fields["account"].disabled = True
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            values = _opportunity_values(actor, form.cleaned_data, form.cleaned_data["type"])
            if values["stage"] is None:
                values.pop("stage")
            services.opportunity_update(actor=actor, opportunity=opportunity, version=form.cleaned_data["version"],
                                        **values)
        except Conflict as error:
            conflict = error.message
            add_domain_errors(form, Conflict(error.message))
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Opportunity saved."))
            return redirect("pipeline:opportunity-detail", opportunity.public_id)
    return render(request, "pipeline/opportunity_form.html", {
        "nav_active": "pipeline", "form": form, "opportunity": opportunity, "conflict": conflict},
        status=409 if conflict else 200)


# --- the stage editor ----------------------------------------------------------------------------------------


@login_required
def pipeline_admin(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    if not can(actor, Action.CHANGE, resource="pipeline"):
        raise Http404
    add_form = StageForm(request.POST or None, prefix="add")
    if request.method == "POST":
        try:
            pipeline = selectors.pipeline_get(public_id=request.POST.get("pipeline", ""))
            if add_form.is_valid():
                services.stage_create(actor=actor, pipeline=pipeline, **add_form.cleaned_data)
                messages.success(request, _("Stage added."))
            else:
                messages.error(request, _("Give the new stage a name and a probability between 0 and 100."))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("pipeline:pipeline-admin")
    pipelines = [{"pipeline": pipeline, "stages": selectors.stages_of(pipeline=pipeline)}
                 for pipeline in selectors.pipeline_list()]
    return render(request, "pipeline/pipeline_admin.html", {
        "nav_active": "pipelines", "pipelines": pipelines, "kinds": StageKind.choices, "add_form": StageForm(
            prefix="add", initial={"probability": 50, "kind": StageKind.OPEN})})


@login_required
@require_POST
def stage_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    if not can(actor, Action.CHANGE, resource="pipeline"):
        raise Http404
    try:
        stage = selectors.stage_get(public_id=public_id)
        action = request.POST.get("action", "save")
        if action in ("up", "down"):
            services.stage_shift(actor=actor, stage=stage, offset=-1 if action == "up" else 1)
        elif action == "delete":
            services.stage_delete(actor=actor, stage=stage)
            messages.success(request, _("Stage removed."))
        else:
            form = StageForm(request.POST)
            if not form.is_valid():
                raise ValidationFailed(_("Give the stage a name and a probability between 0 and 100."))
            services.stage_update(actor=actor, stage=stage, **form.cleaned_data)
            messages.success(request, _("Stage saved."))
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("pipeline:pipeline-admin")
