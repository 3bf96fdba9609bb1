"""The permission editor and the "explain access" page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tandem.access import selectors, services
from tandem.access.choices import Action, Scope
from tandem.access.decide import can
from tandem.access.forms import read_policy_form
from tandem.core.exceptions import DomainError, NotFound, PermissionDenied
from tandem.identity.requests import AuthedRequest

MAX_LISTED_CHANGES = 8


@login_required
def policy_edit(request: AuthedRequest) -> HttpResponse:
    """GET shows the matrix; POST saves the cells the administrator changed (all or nothing)."""
    actor = request.user
    if not can(actor, Action.VIEW, resource="access_policy"):
        raise Http404
    can_change = can(actor, Action.CHANGE, resource="access_policy")
    matrix = selectors.policy_matrix(actor=actor)
    error: DomainError | None = None
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied(_("You may not change permissions."))
        submitted = read_policy_form(matrix, request.POST)
        try:
            update = services.policy_set(actor=actor, rules=submitted.rules, field_groups=submitted.field_groups)
        except DomainError as refused:
            error, matrix = refused, submitted.matrix
        else:
            if update.count:
                messages.success(request, _("Saved %(count)s permission changes.") % {"count": update.count})
                for change in update.changes[:MAX_LISTED_CHANGES]:
                    messages.info(request, change)
                if update.count > MAX_LISTED_CHANGES:
                    messages.info(request, _("…and %(count)s more; the audit log lists them all.")
                                  % {"count": update.count - MAX_LISTED_CHANGES})
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("access:policy-edit")
    return render(request, "access/policy_edit.html", {
        "nav_active": "permissions", "matrix": matrix, "scopes": Scope.choices, "can_change": can_change,
        "error": error, "error_lines": _error_lines(matrix, error)}, status=422 if error else 200)


def _error_lines(matrix: selectors.PolicyMatrix, error: DomainError | None) -> list[tuple[str, list[str]]]:
    """The service's errors keyed ``role.resource.action`` (or ``…field_group``), with readable labels."""
    if error is None:
        return []
    roles = {row.role_code: row.role_name for section in matrix.sections for row in section.rows}
    resources = {section.resource: section for section in matrix.sections}
    lines = []
    for key, problems in error.errors.items():
        parts = key.split(".")
        label = ""
        if len(parts) == 3 and parts[0] in roles and parts[1] in resources:
            section = resources[parts[1]]
            detail = dict(section.actions).get(parts[2], parts[2])
            label = f"{roles[parts[0]]} · {section.label} · {detail}"
        lines.append((label, problems))
    return lines


@login_required
def explain(request: AuthedRequest) -> HttpResponse:
    """Choose a user, a resource and optionally a record: what may the user do, and which rule decides."""
    actor = request.user
    if not can(actor, Action.VIEW, resource="access_policy"):
        raise Http404
    chosen_user = request.GET.get("user", "").strip()
    context: dict[str, Any] = {
        "nav_active": "explain", "users": selectors.explainable_users(actor=actor),
        "resources": selectors.explainable_resources(actor=actor), "chosen_user": chosen_user,
        "chosen_resource": request.GET.get("resource", "account"), "record": request.GET.get("record", "").strip()}
    if chosen_user:
        try:
            context["result"] = selectors.explain_access(
                actor=actor, user_key=chosen_user, resource=context["chosen_resource"],
                record_public_id=context["record"])
        except NotFound:
            context["error"] = _("No record with this id that you can see.")
        except DomainError as error:
            context["error"] = error.message
            context["field_errors"] = error.errors
    return render(request, "access/explain.html", context)
