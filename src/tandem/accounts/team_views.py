"""Account-team pages: edit the team of one account; bulk-reassign a person's accounts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tandem.access.choices import Action, Scope
from tandem.access.decide import can, effective_scope
from tandem.accounts import selectors, team
from tandem.core.exceptions import DomainError, NotFound, PermissionDenied
from tandem.core.forms import add_domain_errors
from tandem.identity import selectors as identity_selectors
from tandem.identity.requests import AuthedRequest


class BulkReassignForm(forms.Form):
    from_user: forms.ModelChoiceField = forms.ModelChoiceField(label=gettext_lazy("Move accounts of"),
                                                               queryset=None)
    role = forms.ChoiceField(label=gettext_lazy("In the role"))
    to_users: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=gettext_lazy("To these colleagues (spread evenly)"), queryset=None,
        widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = identity_selectors.user_list()
        fields: dict[str, Any] = self.fields
        fields["from_user"].queryset = users
        fields["to_users"].queryset = users.filter(is_active=True)
        fields["role"].choices = [(role.code, role.name) for role in selectors.team_roles()]


@login_required
@require_POST
def account_team_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    try:
        account = selectors.account_get(actor=actor, public_id=public_id)
    except NotFound:
        raise Http404 from None
    if not can(actor, Action.CHANGE, account):
        raise PermissionDenied(_("You may not change this account's team."))
    candidates = selectors.team_seat_candidates(actor=actor)
    users_by_pk = {str(c["pk"]): c for entries in candidates.values() for c in entries}
    changed = 0
    try:
        for role in selectors.team_roles():
            if f"seat-{role.code}" not in request.POST:
                continue
            raw = request.POST.get(f"seat-{role.code}", "")
            if raw and raw not in users_by_pk:
                raise NotFound(_("Unknown user."))
            user = identity_selectors.user_list().get(pk=int(raw)) if raw else None
            changed += team.account_team_assign(actor=actor, account=account, role_code=role.code, user=user,
                                                reason=request.POST.get("reason", ""))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Account team saved.") if changed else _("Nothing changed."))
    return redirect("accounts:account-detail", account.public_id)


@login_required
def account_team_reassign(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    if effective_scope(actor, "account", Action.CHANGE) not in (Scope.TEAM, Scope.ALL):
        raise Http404
    form = BulkReassignForm(request.POST or None, initial={"role": "csm"})
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        held = selectors.accounts_held(actor=actor, user=data["from_user"], role_code=data["role"])
        if "confirm" in request.POST:
            try:
                result = team.account_team_bulk_reassign(
                    actor=actor, from_user=data["from_user"], role_code=data["role"],
                    to_users=list(data["to_users"]), reason=data["reason"])
            except DomainError as error:
                add_domain_errors(form, error)
            else:
                messages.success(request, _("Moved %(count)s accounts.") % {"count": result.moved})
                return redirect("accounts:account-team-reassign")
        else:
            preview = {"count": held.count(), "sample": list(held[:10])}
    return render(request, "accounts/account_team_reassign.html",
                  {"nav_active": "accounts", "form": form, "preview": preview})
