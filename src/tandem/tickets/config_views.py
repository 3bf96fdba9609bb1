"""Pages that edit the ticket configuration (``ticket_config``): routing rules (with their order), SLA policies,
business hours with holidays, and support groups. Everyone who may read the configuration sees it on the
settings page; only those who may change it (managers and administrators by default) reach these forms —
others get 404. Every write goes through ``tickets.config`` (validated and audited there)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.core.exceptions import DomainError, NotFound, ValidationFailed
from tandem.core.forms import add_domain_errors
from tandem.identity import selectors as identity_selectors
from tandem.identity.requests import AuthedRequest
from tandem.tickets import config, selectors
from tandem.tickets.config_forms import BusinessHoursForm, GroupForm, RoutingRuleForm, SlaPolicyForm
from tandem.tickets.models import BusinessHours, RoutingRule, SlaPolicy, TicketGroup

SETTINGS = "tickets:ticket-settings"


def _require_change(actor: Any) -> None:
    if not can(actor, Action.CHANGE, resource="ticket_config"):
        raise Http404


def _found(lookup: Callable[[], Any]) -> Any:
    try:
        found = lookup()
    except NotFound:
        raise Http404 from None
    if found is None:
        raise Http404
    return found


def _save(request: AuthedRequest, form: forms.Form, save: Callable[[dict[str, Any]], Any], *, title: str,
          saved: str, delete_url: str = "", extra: dict[str, Any] | None = None) -> HttpResponse:
    """Validate ``form``, hand its data to ``save`` (a config service call) and go back to the settings page;
    the service's field errors show next to the fields."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, saved)
            return redirect(SETTINGS)
    return render(request, "tickets/config_form.html", {"nav_active": "tickets", "form": form, "title": title,
                                      "delete_url": delete_url, **(extra or {})},
                  status=400 if request.method == "POST" else 200)


def _delete(request: AuthedRequest, delete: Callable[[], None], deleted: str) -> HttpResponse:
    try:
        delete()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, deleted)
    return redirect(SETTINGS)


# --- routing rules --------------------------------------------------------------------------------------------


def _group_choices() -> list[tuple[str, str]]:
    return [(group.public_id, group.name) for group in selectors.group_list()]


def _rule_values(actor: Any, data: dict[str, Any]) -> dict[str, Any]:
    assignee = None
    if data["assignee"]:
        assignee = selectors.assignable_user(email=data["assignee"])
        if assignee is None:
            raise ValidationFailed(_("The routing rule is invalid."),
                                   errors={"assignee": [_("No active colleague with this email.")]})
    group = selectors.group_get(public_id=data["group"]) if data["group"] else None
    return {"name": data["name"], "position": data["position"], "is_active": data["is_active"],
            "channels": data["channels"], "categories": data["categories"], "account_tiers": data["account_tiers"],
            "keywords": data["keywords"], "group": group, "tier": data["tier"], "assignee": assignee}


@login_required
def rule_create(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    _require_change(actor)
    last = selectors.routing_rule_list(actor=actor).last()
    form = RoutingRuleForm(request.POST or None, groups=_group_choices(),
                           initial={"position": (last.position + 10) if last else 10})
    return _save(request, form, lambda data: config.routing_rule_create(actor=actor, **_rule_values(actor, data)),
                 title=_("New routing rule"), saved=_("Routing rule saved."))


@login_required
def rule_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    _require_change(actor)
    rule: RoutingRule = _found(lambda: selectors.routing_rule_get(actor=actor, public_id=public_id))
    initial = {"name": rule.name, "position": rule.position, "is_active": rule.is_active,
               "channels": rule.channels, "categories": rule.categories, "account_tiers": rule.account_tiers,
               "keywords": ", ".join(rule.keywords), "group": rule.group.public_id if rule.group else "",
               "tier": rule.tier or "", "assignee": rule.assignee.email if rule.assignee else ""}
    form = RoutingRuleForm(request.POST or None, groups=_group_choices(), initial=initial)
    return _save(request, form,
                 lambda data: config.routing_rule_update(actor=actor, rule=rule, **_rule_values(actor, data)),
                 title=_("Routing rule %(name)s") % {"name": rule.name}, saved=_("Routing rule saved."),
                 delete_url=f"{request.path}delete/")


@login_required
@require_POST
def rule_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    _require_change(actor)
    rule = _found(lambda: selectors.routing_rule_get(actor=actor, public_id=public_id))
    return _delete(request, lambda: config.routing_rule_delete(actor=actor, rule=rule), _("Routing rule deleted."))


@login_required
@require_POST
def rule_move(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    _require_change(actor)
    rule = _found(lambda: selectors.routing_rule_get(actor=actor, public_id=public_id))
    try:
        config.routing_rule_move(actor=actor, rule=rule, direction=request.POST.get("direction", ""))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(SETTINGS)


# --- SLA policies ---------------------------------------------------------------------------------------------


def _policy_values(data: dict[str, Any]) -> dict[str, Any]:
    return {"name": data["name"], "priority": data["priority"], "account_tier": data["account_tier"],
            "first_response_minutes": data["first_response_minutes"],
            "resolution_minutes": data["resolution_minutes"]}


@login_required
def policy_create(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    _require_change(actor)
    form = SlaPolicyForm(request.POST or None)
    return _save(request, form, lambda data: config.sla_policy_create(actor=actor, **_policy_values(data)),
                 title=_("New SLA policy"), saved=_("SLA policy saved."))


@login_required
def policy_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    _require_change(actor)
    policy: SlaPolicy = _found(lambda: selectors.sla_policy_get(actor=actor, public_id=public_id))
    form = SlaPolicyForm(request.POST or None, initial={
        "name": policy.name, "priority": policy.priority, "account_tier": policy.account_tier,
        "first_response_minutes": policy.first_response_minutes, "resolution_minutes": policy.resolution_minutes})
    return _save(request, form,
                 lambda data: config.sla_policy_update(actor=actor, policy=policy, **_policy_values(data)),
                 title=_("SLA policy %(name)s") % {"name": policy.name}, saved=_("SLA policy saved."),
                 delete_url=f"{request.path}delete/")


@login_required
@require_POST
def policy_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    _require_change(actor)
    policy = _found(lambda: selectors.sla_policy_get(actor=actor, public_id=public_id))
    return _delete(request, lambda: config.sla_policy_delete(actor=actor, policy=policy), _("SLA policy deleted."))


# --- business hours -------------------------------------------------------------------------------------------


def _hours_values(data: dict[str, Any]) -> dict[str, Any]:
    return {"name": data["name"], "time_zone": data["time_zone"], "windows": data["windows"],
            "holidays": data["holiday_list"], "is_default": data["is_default"]}


def _hours_errors(error: DomainError) -> DomainError:
    """The service names the whole week (``windows``); the form shows it above the days."""
    if "windows" in error.errors:
        error.errors = {("day_0" if name == "windows" else name): messages for name, messages in error.errors.items()}
    return error


def _save_hours(save: Callable[[], Any]) -> Any:
    try:
        return save()
    except DomainError as error:
        raise _hours_errors(error) from None


@login_required
def hours_create(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    _require_change(actor)
    form = BusinessHoursForm(request.POST or None, initial={
        "time_zone": "UTC", **{f"day_{number}": "09:00-17:00" for number in range(5)}})
    return _save(request, form, lambda data: _save_hours(
        lambda: config.business_hours_create(actor=actor, **_hours_values(data))),
        title=_("New business hours"), saved=_("Business hours saved."))


@login_required
def hours_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    _require_change(actor)
    hours: BusinessHours = _found(lambda: selectors.business_hours_get(actor=actor, public_id=public_id))
    form = BusinessHoursForm(request.POST or None, initial=BusinessHoursForm.initial_for(hours))
    return _save(request, form, lambda data: _save_hours(
        lambda: config.business_hours_update(actor=actor, hours=hours, **_hours_values(data))),
        title=_("Business hours %(name)s") % {"name": hours.name}, saved=_("Business hours saved."),
        delete_url=f"{request.path}delete/")


@login_required
@require_POST
def hours_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    _require_change(actor)
    hours = _found(lambda: selectors.business_hours_get(actor=actor, public_id=public_id))
    return _delete(request, lambda: config.business_hours_delete(actor=actor, hours=hours),
                   _("Business hours deleted."))


# --- groups ---------------------------------------------------------------------------------------------------


def _group_form(request: AuthedRequest, actor: Any, initial: dict[str, Any] | None = None) -> GroupForm:
    teams = [(team.public_id, team.name) for team in identity_selectors.team_list()]
    hours = [(item.public_id, item.name) for item in selectors.business_hours_list(actor=actor)]
    return GroupForm(request.POST or None, teams=teams, hours=hours, initial=initial)


def _group_values(actor: Any, data: dict[str, Any]) -> dict[str, Any]:
    team = next((team for team in identity_selectors.team_list() if team.public_id == data["team"]), None)
    hours = (selectors.business_hours_list(actor=actor).filter(public_id=data["business_hours"]).first()
             if data["business_hours"] else None)
    return {"name": data["name"], "tier": data["tier"], "team": team, "business_hours": hours}


@login_required
def group_create(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    _require_change(actor)
    form = _group_form(request, actor)
    return _save(request, form, lambda data: config.group_create(actor=actor, **_group_values(actor, data)),
                 title=_("New support group"), saved=_("Support group saved."))


@login_required
def group_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    _require_change(actor)
    group: TicketGroup = _found(lambda: selectors.group_get(public_id=public_id))
    form = _group_form(request, actor, initial={
        "name": group.name, "tier": group.tier or "", "team": group.team.public_id if group.team else "",
        "business_hours": group.business_hours.public_id if group.business_hours else ""})
    return _save(request, form,
                 lambda data: config.group_update(actor=actor, group=group, **_group_values(actor, data)),
                 title=_("Support group %(name)s") % {"name": group.name}, saved=_("Support group saved."),
                 delete_url=f"{request.path}delete/")


@login_required
@require_POST
def group_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    _require_change(actor)
    group = _found(lambda: selectors.group_get(public_id=public_id))
    return _delete(request, lambda: config.group_delete(actor=actor, group=group), _("Support group deleted."))
