"""Administration of users, teams and roles (invite, deactivate, roles and teams, two-factor per role)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tandem.access.decide import can
from tandem.api.pagination import paginate
from tandem.core.exceptions import DomainError, NotFound
from tandem.core.forms import add_domain_errors
from tandem.identity import selectors, services
from tandem.identity.forms import InviteForm, TeamForm, UserRolesForm
from tandem.identity.requests import AuthedRequest


def _require(request: AuthedRequest, action: str, resource: str) -> None:
    if not can(request.user, action, resource=resource):
        raise Http404


@login_required
def user_list(request: AuthedRequest) -> HttpResponse:
    _require(request, "view", "user")
    search = request.GET.get("q", "").strip()
    users = selectors.user_list()
    if search:
        users = users.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    page = paginate(users, ordering=("full_name", "id"), limit=50, cursor=request.GET.get("cursor") or None)
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        _require(request, "create", "user")
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.user_create(actor=request.user, email=data["email"], full_name=data["full_name"],
                                            role_codes=[role.code for role in data["roles"]])
                if data["teams"]:
                    services.user_teams_set(actor=request.user, user=user, teams=data["teams"])
            except DomainError as error:
                add_domain_errors(form, error)
            else:
                _send_invitation(request, user)
                messages.success(request, _("%(email)s was invited and will receive a link to set a password.")
                                 % {"email": user.email})
                return redirect("identity:user-list")
    return render(request, "identity/user_list.html", {
        "nav_active": "users", "page": page, "search": search, "form": form,
        "can_create": can(request.user, "create", resource="user")})


def _send_invitation(request: AuthedRequest, user: Any) -> None:
    services.user_invitation_send(user=user, protocol="https" if request.is_secure() else "http",
                                  domain=request.get_host())


@login_required
def user_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    try:
        user = selectors.user_get(actor=request.user, public_id=public_id)
    except NotFound:
        raise Http404 from None
    form = UserRolesForm(request.POST or None, initial={"roles": user.roles.all(), "teams": user.teams.all()})
    if request.method == "POST":
        _require(request, "change", "user")
        action = request.POST.get("action")
        try:
            if action == "deactivate":
                services.user_set_active(actor=request.user, user=user, active=False)
                messages.success(request, _("%(name)s was deactivated; their sessions and tokens ended.")
                                 % {"name": user})
            elif action == "reactivate":
                services.user_set_active(actor=request.user, user=user, active=True)
                messages.success(request, _("%(name)s was reactivated.") % {"name": user})
            elif action == "reset-two-factor":
                services.totp_disable(actor=request.user, user=user)
                messages.success(request, _("Two-factor authentication was reset."))
            elif form.is_valid():
                services.user_roles_set(actor=request.user, user=user,
                                        role_codes=[role.code for role in form.cleaned_data["roles"]])
                services.user_teams_set(actor=request.user, user=user, teams=form.cleaned_data["teams"])
                messages.success(request, _("Roles and teams saved."))
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("identity:user-detail", user.public_id)
    return render(request, "identity/user_detail.html", {
        "nav_active": "users", "subject": user, "form": form,
        "tokens": selectors.api_token_list(user=user),
        "device": selectors.totp_device_for(user=user),
        "can_change": can(request.user, "change", resource="user")})


@login_required
def team_list(request: AuthedRequest) -> HttpResponse:
    _require(request, "view", "team")
    form = TeamForm(request.POST or None)
    if request.method == "POST":
        _require(request, "create", "team")
        if form.is_valid():
            try:
                services.team_save(actor=request.user, team=None, **form.cleaned_data)
            except DomainError as error:
                form.add_error("name", error.message)
            else:
                messages.success(request, _("Team created."))
                return redirect("identity:team-list")
    return render(request, "identity/team_list.html", {
        "nav_active": "teams", "teams": selectors.team_list(), "form": form,
        "can_create": can(request.user, "create", resource="team")})


@login_required
def team_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    try:
        team = selectors.team_get(actor=request.user, public_id=public_id)
    except NotFound:
        raise Http404 from None
    form = TeamForm(request.POST or None, initial={"name": team.name, "manager": team.manager_id,
                                                  "members": team.members.all()})
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            services.team_delete(actor=request.user, team=team)
            messages.success(request, _("Team deleted."))
            return redirect("identity:team-list")
        _require(request, "change", "team")
        if form.is_valid():
            try:
                services.team_save(actor=request.user, team=team, **form.cleaned_data)
            except DomainError as error:
                form.add_error("name", error.message)
            else:
                messages.success(request, _("Team saved."))
                return redirect("identity:team-list")
    return render(request, "identity/team_detail.html", {
        "nav_active": "teams", "team": team, "form": form, "can_change": can(request.user, "change", resource="team")})


@login_required
def role_list(request: AuthedRequest) -> HttpResponse:
    _require(request, "view", "access_policy")
    roles = selectors.role_list()
    if request.method == "POST":
        _require(request, "change", "access_policy")
        required = set(request.POST.getlist("two_factor"))
        for role in roles:
            services.role_two_factor_set(actor=request.user, role=role, required=role.code in required)
        messages.success(request, _("Roles saved."))
        return redirect("identity:role-list")
    return render(request, "identity/role_list.html", {
        "nav_active": "roles", "roles": roles, "can_change": can(request.user, "change", resource="access_policy")})
