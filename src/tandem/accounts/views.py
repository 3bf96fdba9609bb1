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
from tandem.accounts.rollups import account_rollup
from tandem.accounts.sections import sections_for
from tandem.api.pagination import paginate
from tandem.core.exceptions import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from tandem.core.forms import add_domain_errors
from tandem.customfields.forms import add_custom_fields, custom_changes, custom_display
from tandem.customfields.lists import Column, list_context, list_query
from tandem.customfields.selectors import redact_changes
from tandem.identity.requests import AuthedRequest


def _get_or_404(request: AuthedRequest, public_id: str):
    try:
        return selectors.account_get(actor=request.user, public_id=public_id)
    except NotFound:
        raise Http404 from None


COLUMNS = {
    "domain": Column(gettext_lazy("Domain"), lambda a: a.domain),
    "tier": Column(gettext_lazy("Tier"), lambda a: a.get_tier_display()),
    "stage": Column(gettext_lazy("Stage"), lambda a: a.get_lifecycle_stage_display()),
    "owner": Column(gettext_lazy("Owner"), lambda a: a.owner),
    "team": Column(gettext_lazy("Team"), lambda a: a.team),
    "country": Column(gettext_lazy("Country"), lambda a: a.country),
    "industry": Column(gettext_lazy("Industry"), lambda a: a.industry),
    "employees": Column(gettext_lazy("Employees"), lambda a: a.get_employee_band_display()),
    "external_id": Column(gettext_lazy("External id"), lambda a: a.external_id),
    "parent": Column(gettext_lazy("Parent account"), lambda a: a.parent.name if a.parent else ""),
    "updated": Column(gettext_lazy("Updated"), lambda a: date_format(localtime(a.updated_at), "SHORT_DATE_FORMAT")),
}
DEFAULT_COLUMNS = ("domain", "tier", "stage", "owner")
SORT_LABELS = {"name": gettext_lazy("Name A–Z"), "-name": gettext_lazy("Name Z–A"),
               "-created": gettext_lazy("Newest first"), "-updated": gettext_lazy("Recently changed")}


@login_required
def account_list(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    if not can(actor, Action.VIEW, resource="account"):
        raise Http404
    search = request.GET.get("q", "").strip()
    try:
        listing = list_query(actor=actor, resource="account", params=request.GET, columns=COLUMNS,
                             default_columns=DEFAULT_COLUMNS, default_sort="name")
        filters = selectors.AccountFilters(
            search=search,
            tier=request.GET.get("tier", "") if request.GET.get("tier") in Tier.values else "",
            lifecycle_stage=request.GET.get("stage", "") if request.GET.get("stage") in LifecycleStage.values else "",
            parent_public_id=request.GET.get("parent", "").strip(),
            custom=listing.custom_filters,
        )
        accounts, ordering = selectors.account_sorted(actor=actor, accounts=selectors.account_list(
            actor=actor, filters=filters), sort=listing.sort)
        page = paginate(accounts, ordering=ordering, limit=50, cursor=request.GET.get("cursor") or None)
    except DomainError:
        return redirect("accounts:account-list")
    return render(request, "accounts/account_list.html", {
        **list_context(listing, items=page.items, columns=COLUMNS, sorts=SORT_LABELS),
        "nav_active": "accounts",
        "page": page,
        "search": search,
        "filters": filters,
        "tiers": Tier.choices,
        "stages": LifecycleStage.choices,
        "saved_views": selectors.saved_view_list(actor=actor, resource="account"),
        "my_teams": list(actor.teams.all()) + list(actor.managed_teams.all()),
        "can_create": can(actor, Action.CREATE, resource="account"),
        "can_export": can(actor, Action.EXPORT, resource="account"),
        "can_reassign": effective_scope(actor, "account", Action.CHANGE) in (Scope.TEAM, Scope.ALL),
    })


@login_required
def account_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    account = _get_or_404(request, public_id)
    children = list(selectors.account_children(actor=actor, account=account)[:50])
    team_members = list(selectors.account_team(actor=actor, account=account))
    return render(request, "accounts/account_detail.html", {
        "nav_active": "accounts",
        "account": account,
        "rollup": account_rollup(actor=actor, account=account) if children else None,
        "team_members": team_members,
        "children": children,
        "stage_history": selectors.account_stage_history(actor=actor, account=account)[:10],
        "team_history": selectors.account_team_history(actor=actor, account=account)[:10],
        "team_rows": _team_rows(actor, team_members),
        "sections": sections_for(actor=actor, account=account),
        "custom_values": custom_display(actor=actor, resource="account", values=account.custom),
        "history": _redacted(actor, "account", selectors.account_history(actor=actor, account=account)[:20]),
        "merges": selectors.account_merges(actor=actor, account=account)[:5],
        "can_change": can(actor, Action.CHANGE, account),
        "can_delete": (can_delete := can(actor, Action.DELETE, account)),
        "delete_blockers": services.account_deletion_blockers(account) if can_delete else [],
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
    try:
        services.account_delete(actor=request.user, account=account)
    except Conflict as refused:
        messages.error(request, refused.message)
        return redirect("accounts:account-detail", account.public_id)
    messages.success(request, _("Account deleted."))
    return redirect("accounts:account-list")


def _redacted(actor: Any, resource: str, entries: Any) -> list[Any]:
    """Audit entries with custom values the actor may not read removed (in memory only)."""
    entries = list(entries)
    for entry in entries:
        entry.changes = redact_changes(actor=actor, resource=resource, changes=entry.changes)
    return entries


def _team_rows(actor: Any, members: list[Any]) -> list[dict[str, Any]]:
    """One row per team role: who holds it now (``members``: the account's team) and who could (for the inline
    team editor)."""
    seats = {member.role.code: member.user for member in members}
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
    term = request.GET.get("q") or request.GET.get("parent") or request.GET.get("account") or ""
    accounts = selectors.account_list(actor=request.user, search=term.strip())[:10] if term.strip() else []
    return render(request, "accounts/account_options.html", {"accounts": accounts})
