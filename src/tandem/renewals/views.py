"""Renewal pages: the calendar of what ends in the next 30/60/90/180 days, one renewal (suggested prices per
term, closing it), and the settings (administrators)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.access.choices import Action
from tandem.access.decide import can, field_access
from tandem.accounts import selectors as account_selectors
from tandem.api.pagination import paginate
from tandem.core.exceptions import DomainError, NotFound, PermissionDenied
from tandem.core.forms import add_domain_errors
from tandem.identity.requests import AuthedRequest
from tandem.pipeline import selectors as pipeline_selectors
from tandem.renewals import logic, selectors, services
from tandem.renewals.forms import RenewalCloseForm, RenewalSettingsForm
from tandem.renewals.models import RenewalRecord


def _owner(actor: Any, value: str) -> Any:
    value = value.strip()
    if not value:
        return None
    if value == "me":
        return actor
    user = pipeline_selectors.active_user(email=value)
    if user is None:
        raise Http404
    return user


@login_required
def renewal_list(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    if not can(actor, Action.VIEW, resource="subscription"):
        raise Http404
    params = request.GET
    within = int(params["within"]) if params.get("within") in {"30", "60", "90", "180"} else 90
    owner = params.get("owner", "").strip()
    filters = selectors.RenewalFilters(within=within, owner=_owner(actor, owner))
    try:
        page = paginate(selectors.renewals_due(actor=actor, filters=filters), ordering=selectors.RENEWAL_ORDERING,
                        limit=50, cursor=params.get("cursor") or None)
    except DomainError:
        return redirect("renewals:renewal-list")
    query = params.copy()
    query.pop("cursor", None)
    return render(request, "renewals/renewal_list.html", {
        "nav_active": "renewals", "rows": selectors.renewal_rows(page.items), "page": page, "within": within,
        "within_choices": selectors.WITHIN_CHOICES, "owner": owner, "query": query.urlencode(),
        "people": account_selectors.account_people(actor=actor),
        "can_read_pricing": field_access(actor, "subscription", "pricing").can_read,
        "can_configure": can(actor, Action.CHANGE, resource="renewal_settings")})


def _record_or_404(actor: Any, public_id: str) -> RenewalRecord:
    try:
        return selectors.renewal_get(actor=actor, public_id=public_id)
    except NotFound:
        raise Http404 from None


def _detail(request: AuthedRequest, record: RenewalRecord, form: RenewalCloseForm | None = None,
            status: int = 200) -> HttpResponse:
    actor = request.user
    config = selectors.renewal_config()
    opportunity = record.opportunity
    can_close = (record.outcome == "open" and opportunity is not None and can(actor, Action.CHANGE, opportunity)
                 and can(actor, Action.CHANGE, record.subscription)
                 and field_access(actor, "subscription", "pricing").can_write)
    form = form or RenewalCloseForm(initial={"outcome": "renewed", "term_months": 12,
                                             "version": opportunity.version if opportunity else None})
    return render(request, "renewals/renewal_detail.html", {
        "nav_active": "renewals", "record": record, "subscription": record.subscription, "opportunity": opportunity,
        "prices": selectors.suggested_prices(record=record, config=config), "rules": config.discount_rules,
        "can_read_pricing": field_access(actor, "subscription", "pricing").can_read,
        "can_close": can_close, "form": form}, status=status)


@login_required
def renewal_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    return _detail(request, _record_or_404(request.user, public_id))


@login_required
@require_POST
def renewal_close(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    record = _record_or_404(actor, public_id)
    form = RenewalCloseForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.renewal_close(actor=actor, record=record, outcome=data["outcome"], reason=data["reason"],
                                   term_months=data["term_months"], seats=data["seats"], version=data["version"])
        except PermissionDenied:
            raise Http404 from None
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Renewal closed: %(outcome)s.") % {"outcome": record.get_outcome_display()})
            return redirect("renewals:renewal-detail", record.public_id)
    record = _record_or_404(actor, public_id)
    return _detail(request, record, form, status=422)


@login_required
def renewal_settings(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    if not can(actor, Action.CHANGE, resource="renewal_settings"):
        raise Http404
    row = selectors.renewal_settings()
    config = selectors.renewal_config()
    form = RenewalSettingsForm(request.POST or None, initial={
        "notice_days": row.notice_days, "negotiation_days": row.negotiation_days,
        "playbook": logic.playbook_text(config.playbook), "discount_rules": logic.rules_text(config.discount_rules)})
    if request.method == "POST" and form.is_valid():
        try:
            services.renewal_settings_update(actor=actor, **form.cleaned_data)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Renewal settings saved."))
            return redirect("renewals:settings")
    return render(request, "renewals/settings.html", {"nav_active": "renewal_settings", "form": form})
