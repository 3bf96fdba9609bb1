"""Administration of users, teams and roles (invite, deactivate, roles and teams, two-factor per role).

Who may open a page and act on it is decided by the access module: a page the actor may not view is a 404;
an action on a page they can view but may not take is a 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.access.decide import can
from tandem.api.pagination import paginate
from tandem.core.exceptions import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from tandem.core.forms import add_domain_errors
from tandem.identity import selectors, services
from tandem.identity.forms import InviteForm, TeamForm, UserRolesForm
from tandem.identity.requests import AuthedRequest

ACTIVE_FILTERS = {"active": True, "inactive": False}
USER_ACTIONS = ("deactivate", "reactivate", "reset-two-factor", "resend-invitation")


def _require(request: AuthedRequest, action: str, resource: str) -> None:
    """404 when the actor may not even view ``resource``, 403 when they may view it but not ``action`` it."""
    if not can(request.user, "view", resource=resource):
        raise NotFound(_("No such page."))
    if action != "view" and not can(request.user, action, resource=resource):
        raise PermissionDenied(_("You may not do this."))


def _base_url(request: HttpRequest) -> str:
    return f"{'https' if request.is_secure() else 'http'}://{request.get_host()}"


@login_required
def user_list(request: AuthedRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    role_code = request.GET.get("role", "")
    state = request.GET.get("state", "")
    users = selectors.user_directory(actor=request.user, search=search, role_code=role_code,
                                     active=ACTIVE_FILTERS.get(state))
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        _require(request, "create", "user")
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.user_invite(actor=request.user, email=data["email"], full_name=data["full_name"],
                                            role_codes=[role.code for role in data["roles"]], teams=data["teams"],
                                            base_url=_base_url(request))
            except DomainError as error:
                add_domain_errors(form, error)
            else:
                messages.success(request, _("%(email)s was invited and will receive a link to set a password.")
                                 % {"email": user.email})
                return redirect("identity:user-detail", user.public_id)
    page = paginate(users, ordering=("full_name", "id"), limit=50, cursor=request.GET.get("cursor") or None)
    return render(request, "identity/user_list.html", {
        "nav_active": "users", "page": page, "search": search, "role_code": role_code, "state": state,
        "roles": selectors.role_list(), "form": form,
        "can_create": can(request.user, "create", resource="user")})


@login_required
def user_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    user = selectors.user_get(actor=request.user, public_id=public_id)
    form = UserRolesForm(request.POST or None, initial={"roles": user.roles.all(), "teams": user.teams.all()})
    if request.method == "POST":
        _require(request, "change", "user")
        if form.is_valid():
            try:
                services.user_roles_set(actor=request.user, user=user,
                                        role_codes=[role.code for role in form.cleaned_data["roles"]])
                services.user_teams_set(actor=request.user, user=user, teams=form.cleaned_data["teams"])
            except DomainError as error:
                add_domain_errors(form, error)
            else:
                messages.success(request, _("Roles and teams saved."))
                return redirect("identity:user-detail", user.public_id)
    return render(request, "identity/user_detail.html", {
        "nav_active": "users", "subject": user, "form": form,
        "tokens": selectors.api_token_list(user=user),
        "device": selectors.totp_device_for(user=user),
        "can_change": can(request.user, "change", resource="user"),
        "can_invite": can(request.user, "create", resource="user") and user.is_active
        and not user.has_usable_password()})


@login_required
@require_POST
def user_action(request: AuthedRequest, public_id: str, action: str) -> HttpResponse:
    """Deactivate, reactivate, reset two-factor or resend the invitation."""
    user = selectors.user_get(actor=request.user, public_id=public_id)
    if action not in USER_ACTIONS:
        raise NotFound(_("No such action."))
    _require(request, "create" if action == "resend-invitation" else "change", "user")
    try:
        if action == "deactivate":
            services.user_set_active(actor=request.user, user=user, active=False)
            messages.success(request, _("%(name)s was deactivated; their sessions and API tokens ended.")
                             % {"name": user})
        elif action == "reactivate":
            services.user_set_active(actor=request.user, user=user, active=True)
            messages.success(request, _("%(name)s was reactivated.") % {"name": user})
        elif action == "reset-two-factor":
            services.totp_disable(actor=request.user, user=user)
            messages.success(request, _("Two-factor authentication was reset."))
        else:
            services.user_invitation_send(actor=request.user, user=user, base_url=_base_url(request))
            messages.success(request, _("The invitation was sent again."))
    except (ValidationFailed, Conflict) as error:
        messages.error(request, error.message)
    return redirect("identity:user-detail", user.public_id)


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
                add_domain_errors(form, error)
            else:
                messages.success(request, _("Team created."))
                return redirect("identity:team-list")
    return render(request, "identity/team_list.html", {
        "nav_active": "teams", "teams": selectors.team_list(), "form": form,
        "can_create": can(request.user, "create", resource="team")})


@login_required
def team_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    team = selectors.team_get(actor=request.user, public_id=public_id)
    form = TeamForm(request.POST or None, initial={"name": team.name, "manager": team.manager_id,
                                                  "members": team.members.all()})
    if request.method == "POST":
        _require(request, "change", "team")
        if form.is_valid():
            try:
                services.team_save(actor=request.user, team=team, **form.cleaned_data)
            except DomainError as error:
                add_domain_errors(form, error)
            else:
                messages.success(request, _("Team saved."))
                return redirect("identity:team-list")
    return render(request, "identity/team_detail.html", {
        "nav_active": "teams", "team": team, "form": form,
        "can_change": can(request.user, "change", resource="team"),
        "can_delete": can(request.user, "delete", resource="team")})


@login_required
@require_POST
def team_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    team = selectors.team_get(actor=request.user, public_id=public_id)
    _require(request, "delete", "team")
    services.team_delete(actor=request.user, team=team)
    messages.success(request, _("Team deleted."))
    return redirect("identity:team-list")


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
