"""Quota pages: the team board (people × metrics for a period, with attainment) and setting quotas."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts import selectors as account_selectors
from tandem.core.exceptions import DomainError, NotFound
from tandem.core.forms import add_domain_errors
from tandem.identity.requests import AuthedRequest
from tandem.quotas import selectors, services
from tandem.quotas.choices import Period
from tandem.quotas.forms import QuotaForm


def _form(actor: Any, data: Any = None) -> QuotaForm:
    people = list(account_selectors.account_people(actor=actor))
    roles = list(selectors.quota_roles())
    return QuotaForm(data, people=people, roles=roles, initial={"period": "month", "metric": "bookings",
                                                                "period_start": selectors.today()})


def _board(request: AuthedRequest, form: QuotaForm | None = None, status: int = 200) -> HttpResponse:
    actor = request.user
    period = request.GET.get("period", "month")
    if period not in Period.values:
        period = "month"
    try:
        day = datetime.date.fromisoformat(request.GET.get("on", "")) if request.GET.get("on") else selectors.today()
    except ValueError:
        day = selectors.today()
    can_set = can(actor, Action.CREATE, resource="quota")
    return render(request, "quotas/team.html", {
        "nav_active": "quotas", "board": selectors.team_board(actor=actor, period=period, on=day), "period": period,
        "periods": Period.choices, "on": day, "can_set": can_set,
        "form": form or (_form(actor) if can_set else None)}, status=status)


@login_required
def team(request: AuthedRequest) -> HttpResponse:
    if not can(request.user, Action.VIEW, resource="quota"):
        raise Http404
    return _board(request)


@login_required
@require_POST
def quota_set(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    if not can(actor, Action.CREATE, resource="quota"):
        raise Http404
    form = _form(actor, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        kind, _sep, key = data["person"].partition(":")
        values = {"metric": data["metric"], "period": data["period"], "period_start": data["period_start"],
                  "target": data["target"]}
        try:
            if kind == "role":
                done = services.quota_bulk_set(actor=actor, role=key, **values)
            else:
                user = next((person for person in account_selectors.account_people(actor=actor)
                             if person.public_id == key), None)
                done = [services.quota_set(actor=actor, user=user, **values)]
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Quotas set: %(count)s.") % {"count": len(done)})
            return redirect(f"{request.path.rsplit('set/', 1)[0]}?period={data['period']}"
                            f"&on={data['period_start'].isoformat()}")
    return _board(request, form, status=422)


@login_required
@require_POST
def quota_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    try:
        quota = selectors.quota_get(actor=actor, public_id=public_id)
        services.quota_delete(actor=actor, quota=quota)
    except (NotFound, DomainError):
        raise Http404 from None
    messages.success(request, _("Quota removed."))
    return redirect("quotas:team")
