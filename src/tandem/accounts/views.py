"""Account pages: list, detail, create, edit, delete, export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tandem.access.choices import Action, Scope
from tandem.access.decide import can, effective_scope, field_access
from tandem.accounts import selectors, services
from tandem.accounts.choices import LifecycleStage, Tier
from tandem.accounts.forms import AccountForm
from tandem.accounts.sections import sections_for
from tandem.api.pagination import paginate
from tandem.core.exceptions import DomainError, NotFound, PermissionDenied, ValidationFailed
from tandem.core.forms import add_domain_errors
from tandem.customfields.forms import add_custom_fields, custom_changes, custom_display
from tandem.customfields.logic import display
from tandem.customfields.selectors import readable_fields, redact_changes
from tandem.identity.requests import AuthedRequest


def _get_or_404(request: AuthedRequest, public_id: str):
    try:
        return selectors.account_get(actor=request.user, public_id=public_id)
    except NotFound:
        raise Http404 from None


COLUMNS = {
    "domain": (gettext_lazy("Domain"), lambda a: a.domain),
    "tier": (gettext_lazy("Tier"), lambda a: a.get_tier_display()),
    "stage": (gettext_lazy("Stage"), lambda a: a.get_lifecycle_stage_display()),
    "owner": (gettext_lazy("Owner"), lambda a: str(a.owner) if a.owner else ""),
    "team": (gettext_lazy("Team"), lambda a: str(a.team) if a.team else ""),
    "country": (gettext_lazy("Country"), lambda a: a.country),
    "industry": (gettext_lazy("Industry"), lambda a: a.industry),
    "employees": (gettext_lazy("Employees"), lambda a: a.get_employee_band_display()),
    "external_id": (gettext_lazy("External id"), lambda a: a.external_id),
    "parent": (gettext_lazy("Parent account"), lambda a: a.parent.name if a.parent else ""),
    "updated": (gettext_lazy("Updated"), lambda a: date_format(localtime(a.updated_at), "SHORT_DATE_FORMAT")),
}
DEFAULT_COLUMNS = ("domain", "tier", "stage", "owner")


@login_required
def account_list(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    if not can(actor, Action.VIEW, resource="account"):
        raise Http404
    search = request.GET.get("q", "").strip()
    custom_fields = {f.key: f for f in readable_fields(actor=actor, resource="account")}
    custom_filters = tuple((key, request.GET[f"cf_{key}"].strip()) for key in custom_fields
                           if request.GET.get(f"cf_{key}", "").strip())
    filters = selectors.AccountFilters(
        search=search,
        tier=request.GET.get("tier", "") if request.GET.get("tier") in Tier.values else "",
        lifecycle_stage=request.GET.get("stage", "") if request.GET.get("stage") in LifecycleStage.values else "",
        custom=custom_filters,
    )
    requested = [c for c in request.GET.get("columns", "").split(",") if c]
    columns = [c for c in requested if c in COLUMNS or c.removeprefix("custom.") in custom_fields] or list(
        DEFAULT_COLUMNS)
    sort = request.GET.get("sort", "name")
    try:
        accounts, ordering = selectors.account_sorted(actor=actor, accounts=selectors.account_list(
            actor=actor, filters=filters), sort=sort)
        page = paginate(accounts, ordering=ordering, limit=50, cursor=request.GET.get("cursor") or None)
    except DomainError:
        return redirect("accounts:account-list")
    query = request.GET.copy()
    query.pop("cursor", None)
    headers = [(c, COLUMNS[c][0] if c in COLUMNS else custom_fields[c.removeprefix("custom.")].label) for c in columns]
    rows = [(account, [_cell(account, c, custom_fields) for c in columns]) for account in page.items]
    return render(request, "accounts/account_list.html", {
        "nav_active": "accounts",
        "page": page,
        "rows": rows,
        "headers": headers,
        "columns": columns,
        "all_columns": [(key, label) for key, (label, _getter) in COLUMNS.items()]
        + [(f"custom.{key}", field.label) for key, field in custom_fields.items()],
        "filter_fields": [f for f in custom_fields.values() if f.field_type in ("choice", "text", "boolean")],
        "custom_filter_values": dict(custom_filters),
        "sort": sort,
        "search": search,
        "filters": filters,
        "query": query.urlencode(),
        "tiers": Tier.choices,
        "stages": LifecycleStage.choices,
        "saved_views": selectors.saved_view_list(actor=actor, resource="account"),
        "my_teams": list(actor.teams.all()) + list(actor.managed_teams.all()),
        "can_create": can(actor, Action.CREATE, resource="account"),
        "can_export": can(actor, Action.EXPORT, resource="account"),
        "can_reassign": effective_scope(actor, "account", Action.CHANGE) in (Scope.TEAM, Scope.ALL),
    })


def _cell(account: Any, column: str, custom_fields: dict[str, Any]) -> str:
    if column in COLUMNS:
        return COLUMNS[column][1](account) or ""
    field = custom_fields[column.removeprefix("custom.")]
    return display(field.field_type, account.custom.get(field.key))


@login_required
def account_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    account = _get_or_404(request, public_id)
    return render(request, "accounts/account_detail.html", {
        "nav_active": "accounts",
        "account": account,
        "team_members": selectors.account_team(actor=actor, account=account),
        "children": selectors.account_children(actor=actor, account=account)[:50],
        "stage_history": selectors.account_stage_history(actor=actor, account=account)[:10],
        "team_history": selectors.account_team_history(actor=actor, account=account)[:10],
        "team_rows": _team_rows(actor, account),
        "sections": sections_for(actor=actor, account=account),
        "custom_values": custom_display(actor=actor, resource="account", values=account.custom),
        "history": _redacted(actor, "account", selectors.account_history(actor=actor, account=account)[:20]),
        "merges": selectors.account_merges(actor=actor, account=account)[:5],
        "can_change": can(actor, Action.CHANGE, account),
        "can_delete": can(actor, Action.DELETE, account),
        "pricing": field_access(actor, "account", "pricing"),
        "can_explain": can(actor, Action.VIEW, resource="access_policy"),
    })


@login_required
def account_create(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    if not can(actor, Action.CREATE, resource="account"):
        raise Http404
    form = AccountForm(request.POST or None, initial={"owner": actor.pk})
    add_custom_fields(form, actor=actor, resource="account", values={})
    if request.method == "POST" and form.is_valid():
        try:
            custom = custom_changes(form)
            account = services.account_create(actor=actor, custom=custom, **_with_parent(actor, form.cleaned_data))
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Account created."))
            return redirect("accounts:account-detail", account.public_id)
    return render(request, "accounts/account_form.html", {"nav_active": "accounts", "form": form})


@login_required
def account_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    account = _get_or_404(request, public_id)
    if not can(actor, Action.CHANGE, account):
        raise PermissionDenied(_("You may not change this account."))
    initial = {name: getattr(account, name) for name in
               ("name", "domain", "industry", "country", "employee_band", "currency", "tier",
                "lifecycle_stage", "external_id", "status_flags")}
    initial.update({"other_domains": ", ".join(account.other_domains), "owner": account.owner_id,
                    "team": account.team_id, "parent": account.parent.public_id if account.parent else ""})
    form = AccountForm(request.POST or None, initial=initial)
    add_custom_fields(form, actor=actor, resource="account", values=account.custom)
    if request.method == "POST" and form.is_valid():
        try:
            custom = custom_changes(form)
            data = _with_parent(actor, form.cleaned_data)
            services.account_update(actor=actor, account=account, custom=custom, **data)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Account saved."))
            return redirect("accounts:account-detail", account.public_id)
    return render(request, "accounts/account_form.html",
                  {"nav_active": "accounts", "form": form, "account": account})


@login_required
@require_POST
def account_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    account = _get_or_404(request, public_id)
    services.account_delete(actor=request.user, account=account)
    messages.success(request, _("Account deleted."))
    return redirect("accounts:account-list")


def _redacted(actor: Any, resource: str, entries: Any) -> list[Any]:
    """Audit entries with custom values the actor may not read removed (in memory only)."""
    entries = list(entries)
    for entry in entries:
        entry.changes = redact_changes(actor=actor, resource=resource, changes=entry.changes)
    return entries


def _team_rows(actor: Any, account: Any) -> list[dict[str, Any]]:
    """One row per team role: who holds it now and who could (for the inline team editor)."""
    seats = {member.role.code: member.user for member in selectors.account_team(actor=actor, account=account)}
    candidates = selectors.team_seat_candidates(actor=actor)
    return [{"role": role, "user": seats.get(role.code), "candidates": candidates.get(role.code, [])}
            for role in selectors.team_roles()]


def _with_parent(actor: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Resolve the parent's public id through the access-scoped selector."""
    data = dict(data)
    public_id = (data.pop("parent") or "").strip()
    data["parent"] = None
    if public_id:
        try:
            data["parent"] = selectors.account_get(actor=actor, public_id=public_id)
        except NotFound:
            raise ValidationFailed(_("Unknown parent account."),
                                   errors={"parent": [_("Pick a parent account from the suggestions.")]}) from None
    return data


@login_required
def account_lookup(request: AuthedRequest) -> HttpResponse:
    """<option> suggestions for account pickers (htmx), scoped by the access module."""
    term = request.GET.get("q") or request.GET.get("parent") or ""
    accounts = selectors.account_list(actor=request.user, search=term.strip())[:10] if term.strip() else []
    return render(request, "accounts/account_options.html", {"accounts": accounts})
