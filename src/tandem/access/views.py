"""The permission editor and the "explain access" page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tandem.access import selectors, services
from tandem.access.choices import Scope
from tandem.access.decide import can
from tandem.core.exceptions import DomainError
from tandem.identity.requests import AuthedRequest


@login_required
def policy_edit(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    if not can(actor, "view", resource="access_policy"):
        raise Http404
    matrix = selectors.policy_matrix()
    if request.method == "POST":
        if not can(actor, "change", resource="access_policy"):
            raise Http404
        rules, groups = [], []
        for section in matrix.sections:
            for row in section.rows:
                for cell in row.cells:
                    value = request.POST.get(cell.input_name, "")
                    scope = value or None
                    if scope != cell.scope:
                        rules.append(services.RuleChange(row.role_code, section.resource, cell.action, scope))
                for group in row.field_groups:
                    read = request.POST.get(group.input_name + "-read") == "on"
                    write = request.POST.get(group.input_name + "-write") == "on"
                    if (read or write, write) != (group.can_read, group.can_write):
                        groups.append(services.FieldGroupChange(row.role_code, section.resource, group.name, read,
                                                                write))
        try:
            changed = services.policy_set(actor=actor, rules=rules, field_groups=groups)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(count)s permission rules changed.") % {"count": changed})
        return redirect("access:policy-edit")
    return render(request, "access/policy_edit.html", {
        "nav_active": "permissions", "matrix": matrix, "scopes": Scope.choices,
        "can_change": can(actor, "change", resource="access_policy")})


@login_required
def explain(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    if not can(actor, "view", resource="access_policy"):
        raise Http404
    context: dict[str, Any] = {"nav_active": "explain", "users": selectors.explainable_users(),
                               "resources": selectors.explainable_resources(),
                               "chosen_user": request.GET.get("user", ""),
                               "chosen_resource": request.GET.get("resource", "account"),
                               "record": request.GET.get("record", "").strip()}
    if context["chosen_user"]:
        try:
            context["result"] = selectors.explain_access(user_key=context["chosen_user"],
                                                         resource=context["chosen_resource"],
                                                         record_public_id=context["record"])
        except DomainError as error:
            context["error"] = error.message
    return render(request, "access/explain.html", context)
