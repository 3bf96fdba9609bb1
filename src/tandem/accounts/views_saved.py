"""Saved views of the account and contact lists: private, or shared with one of the owner's teams."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.accounts.services import LIST_URLS, saved_view_create, saved_view_delete_own
from tandem.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from tandem.identity.requests import AuthedRequest


@login_required
@require_POST
def saved_view_save(request: AuthedRequest, resource: str) -> HttpResponse:
    if resource not in LIST_URLS:
        raise Http404
    try:
        view = saved_view_create(actor=request.user, resource=resource, name=request.POST.get("name", ""),
                                 query=request.POST.get("query", ""),
                                 team_id=int(request.POST["team"]) if request.POST.get("team", "").isdigit() else None)
    except (ValidationFailed, PermissionDenied) as error:
        messages.error(request, error.message)
        return redirect(LIST_URLS[resource] + "?" + request.POST.get("query", ""))
    messages.success(request, _("View saved."))
    return redirect(f"{LIST_URLS[resource]}?{view.query}")


@login_required
@require_POST
def saved_view_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    try:
        resource = saved_view_delete_own(actor=request.user, public_id=public_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("View deleted."))
    return redirect(LIST_URLS[resource])
