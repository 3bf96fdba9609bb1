"""The merge page: pick a duplicate, choose field values side by side, confirm."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts import merge, selectors
from tandem.accounts.models import Account
from tandem.core.exceptions import DomainError, NotFound
from tandem.identity.requests import AuthedRequest


def _display(account: Account, field: str) -> str:
    value = getattr(account, field)
    display = getattr(account, f"get_{field}_display", None)
    if display is not None:
        return str(display())
    return "" if value is None else str(value)


@login_required
def account_merge(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    try:
        kept = selectors.account_get(actor=actor, public_id=public_id)
    except NotFound:
        raise Http404 from None
    if not can(actor, Action.CHANGE, kept):
        raise Http404
    duplicate_id = (request.POST.get("duplicate") or request.GET.get("duplicate") or "").strip()
    duplicate = None
    if duplicate_id:
        try:
            duplicate = selectors.account_get(actor=actor, public_id=duplicate_id)
        except NotFound:
            messages.error(request, _("Pick the duplicate from the suggestions."))
    if duplicate is not None and duplicate.pk == kept.pk:
        messages.error(request, _("Choose two different accounts."))
        duplicate = None
    if request.method == "POST" and duplicate is not None and "confirm" in request.POST:
        choices = {field: request.POST.get(f"take-{field}") == "duplicate" for field in merge.MERGEABLE_FIELDS}
        try:
            merge.account_merge(actor=actor, kept=kept, removed=duplicate, choose_from_removed=choices)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Merged %(name)s into this account.") % {"name": duplicate.name})
            return redirect("accounts:account-detail", kept.public_id)
    rows = []
    if duplicate is not None:
        rows = [{"field": field, "label": getattr(Account._meta.get_field(field), "verbose_name", field),
                 "kept": _display(kept, field), "duplicate": _display(duplicate, field),
                 "differs": _display(kept, field) != _display(duplicate, field)}
                for field in merge.MERGEABLE_FIELDS]
    return render(request, "accounts/account_merge.html", {
        "nav_active": "accounts", "account": kept, "duplicate": duplicate, "rows": rows,
        "may_delete_duplicate": duplicate is not None and can(actor, Action.DELETE, duplicate),
    })
