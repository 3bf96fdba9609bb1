"""Health pages: the code-red board, the scorecard editor with a preview, the risk playbook, and the actions on
the Account 360 section (override, clear, resolve code red, recompute)."""

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
from tandem.access.decide import can
from tandem.api.pagination import paginate
from tandem.core.exceptions import DomainError, NotFound
from tandem.core.forms import add_domain_errors
from tandem.health import selectors, services
from tandem.health.forms import OverrideForm, PlaybookFormSet, ResolveForm, ScorecardForm
from tandem.health.models import Scorecard
from tandem.identity.requests import AuthedRequest


def _account_url(account: Any) -> str:
    return reverse("accounts:account-detail", args=[account.public_id]) + "#health"


def _account_or_404(request: AuthedRequest, public_id: str) -> Any:
    try:
        return selectors.account_get(actor=request.user, public_id=public_id)
    except NotFound:
        raise Http404 from None


@login_required
def board(request: AuthedRequest) -> HttpResponse:
    """Code red: the flagged accounts the reader can see, longest flagged first."""
    if not can(request.user, Action.VIEW, resource="health"):
        raise Http404
    flags = selectors.risk_flag_list(actor=request.user)
    page = paginate(flags, ordering=("flagged_at", "id"), limit=50, cursor=request.GET.get("cursor"))
    rows = selectors.risk_board(actor=request.user, flags=page.items)
    return render(request, "health/board.html", {
        "rows": rows, "next_cursor": page.next_cursor, "nav_active": "health",
        "can_change": can(request.user, Action.CHANGE, resource="health"), "resolve_form": ResolveForm(),
        "can_configure": can(request.user, Action.VIEW, resource="health_scorecard")})


@login_required
@require_POST
def flag_resolve(request: AuthedRequest, public_id: str) -> HttpResponse:
    try:
        flag = selectors.risk_flag_get(actor=request.user, public_id=public_id)
    except NotFound:
        raise Http404 from None
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.risk_flag_resolve(actor=request.user, flag=flag, reason=form.cleaned_data["reason"])
            messages.success(request, _("Code red resolved."))
        except DomainError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("Say how the risk was resolved."))
    return redirect(request.POST.get("next") or reverse("health:board"))


@login_required
@require_POST
def override_set(request: AuthedRequest, public_id: str) -> HttpResponse:
    account = _account_or_404(request, public_id)
    form = OverrideForm(request.POST)
    if form.is_valid():
        expires = datetime.datetime.combine(form.cleaned_data["expires_on"], datetime.time(23, 59),
                                            tzinfo=timezone.get_current_timezone())
        try:
            services.override_set(actor=request.user, account=account, score=form.cleaned_data["score"],
                                  reason=form.cleaned_data["reason"], expires_at=expires)
            messages.success(request, _("Override saved."))
        except DomainError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, "; ".join(f"{form.fields[name].label}: {' '.join(str(e) for e in errors)}"
                                          if name in form.fields else " ".join(str(e) for e in errors)
                                          for name, errors in form.errors.items()))
    return redirect(_account_url(account))


@login_required
@require_POST
def override_clear(request: AuthedRequest, public_id: str) -> HttpResponse:
    try:
        override = selectors.override_get(actor=request.user, public_id=public_id)
        services.override_clear(actor=request.user, override=override)
        messages.success(request, _("Override cleared."))
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(_account_url(override.account))


@login_required
@require_POST
def account_recompute(request: AuthedRequest, public_id: str) -> HttpResponse:
    account = _account_or_404(request, public_id)
    try:
        services.account_recompute(actor=request.user, account=account)
        messages.success(request, _("Health score recomputed."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(_account_url(account))


@login_required
@require_POST
def recompute_all(request: AuthedRequest) -> HttpResponse:
    try:
        services.recompute_everything_request(actor=request.user)
        messages.success(request, _("Every account will be recomputed in the background."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(reverse("health:scorecard-list"))


# --- scorecards ----------------------------------------------------------------------------------------------------


@login_required
def scorecard_list(request: AuthedRequest) -> HttpResponse:
    if not can(request.user, Action.VIEW, resource="health_scorecard"):
        raise Http404
    return render(request, "health/scorecard_list.html", {
        "scorecards": selectors.scorecard_list(actor=request.user), "nav_active": "health",
        "playbook": selectors.playbook_list(actor=request.user),
        "backtest": selectors.latest_backtest(actor=request.user),
        "can_change": can(request.user, Action.CHANGE, resource="health_scorecard")})


def _initial(scorecard: Scorecard) -> dict[str, Any]:
    initial: dict[str, Any] = {name: getattr(scorecard, name) for name in (
        "name", "segment", "active", "red_below", "green_from", "window_days", "drop_points", "drop_days")}
    present = {component.kind: component for component in scorecard.components.all()}
    for kind in ("usage_frequency", "usage_trend", "breadth", "seat_utilisation", "support_load",
                 "marketing_engagement", "renewal_proximity", "nps_csat"):
        component = present.get(kind)
        initial[f"weight_{kind}"] = component.weight if component else 0
        if component:
            initial[f"bad_{kind}"] = component.bad
            initial[f"good_{kind}"] = component.good
    return initial


def _preview(request: AuthedRequest, form: ScorecardForm, scorecard: Scorecard | None) -> list[dict[str, Any]]:
    """Scores of up to ten accounts of the segment under the edited configuration, beside their current score."""
    from tandem.accounts.selectors import account_list

    data = form.cleaned_data
    accounts = account_list(actor=request.user)
    if data.get("preview_account"):
        accounts = accounts.filter(public_id=data["preview_account"].strip())
    elif data.get("segment"):
        accounts = accounts.filter(tier=data["segment"])
    sample = list(accounts.order_by("name", "id")[:10])
    ids = [account.pk for account in sample]
    inputs = selectors.account_inputs(account_ids=ids, on=selectors.today(), window_days=data["window_days"])
    badges = selectors.health_badges(actor=request.user, account_ids=ids)
    rows = []
    for account in sample:
        result = services.scorecard_preview(components=form.components(), red_below=data["red_below"],
                                            green_from=data["green_from"], window_days=data["window_days"],
                                            inputs=inputs[account.pk])
        badge = badges.get(account.pk)
        rows.append({"account": account, "score": result.score, "color": result.color,
                     "current": badge.score if badge else None, "current_color": badge.color if badge else ""})
    return rows


@login_required
def scorecard_edit(request: AuthedRequest, public_id: str | None = None) -> HttpResponse:
    """Create or edit a scorecard; "Preview" scores sample accounts with the unsaved values."""
    actor = request.user
    if not can(actor, Action.VIEW, resource="health_scorecard"):
        raise Http404
    scorecard = None
    if public_id is not None:
        try:
            scorecard = selectors.scorecard_get(actor=actor, public_id=public_id)
        except NotFound:
            raise Http404 from None
    can_change = can(actor, Action.CHANGE, resource="health_scorecard")
    form = ScorecardForm(request.POST or None, initial=_initial(scorecard) if scorecard else None)
    preview: list[dict[str, Any]] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            if "preview" in request.POST:
                preview = _preview(request, form, scorecard)
            elif not can_change:
                raise Http404
            elif "delete" in request.POST and scorecard is not None:
                services.scorecard_delete(actor=actor, scorecard=scorecard)
                messages.success(request, _("Scorecard deleted."))
                return redirect("health:scorecard-list")
            elif scorecard is None:
                scorecard = services.scorecard_create(actor=actor, components=form.components(), **form.settings())
                messages.success(request, _("Scorecard saved; scores follow within a minute."))
                services.recompute_everything_request(actor=actor)
                return redirect("health:scorecard-list")
            else:
                services.scorecard_update(actor=actor, scorecard=scorecard, components=form.components(),
                                          **form.settings())
                messages.success(request, _("Scorecard saved; scores follow within a minute."))
                services.recompute_everything_request(actor=actor)
                return redirect("health:scorecard-list")
        except DomainError as error:
            add_domain_errors(form, error)
            if "weights" in error.errors:
                form.add_error(None, error.errors["weights"][0])
    return render(request, "health/scorecard_form.html", {
        "form": form, "scorecard": scorecard, "can_change": can_change, "preview": preview,
        "nav_active": "health"})


@login_required
def playbook(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    if not can(actor, Action.VIEW, resource="health_scorecard"):
        raise Http404
    can_change = can(actor, Action.CHANGE, resource="health_scorecard")
    steps = selectors.playbook_list(actor=actor)
    formset = PlaybookFormSet(request.POST or None, initial=[
        {"title": step.title, "role": step.role, "due_days": step.due_days} for step in steps])
    if request.method == "POST":
        if not can_change:
            raise Http404
        if formset.is_valid():
            items = [services.StepIn(title=form.cleaned_data["title"], role=form.cleaned_data["role"],
                                     due_days=form.cleaned_data["due_days"])
                     for form in formset.forms if form.cleaned_data.get("title")]
            try:
                services.playbook_replace(actor=actor, steps=items)
                messages.success(request, _("Risk playbook saved."))
                return redirect("health:playbook")
            except DomainError as error:
                messages.error(request, error.message)
    return render(request, "health/playbook.html", {"formset": formset, "can_change": can_change,
                                                    "nav_active": "health"})


