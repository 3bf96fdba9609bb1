"""Template context shared by every page: the navigation, showing only what works for the user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tandem.access.decide import can


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url: str
    key: str


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Computed once per request: context processors run again for every template rendered with the request (the
    Account 360 page renders each section so, a dozen times), and the menu costs ~25 permission checks and URLs."""
    cached = getattr(request, "_tandem_navigation", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    context = _navigation(request)
    request._tandem_navigation = context  # type: ignore[attr-defined]
    return context


def _navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    base = {"workspace_name": settings.WORKSPACE_NAME, "LANGUAGES": settings.LANGUAGES}
    if user is None or not user.is_authenticated:
        return base
    items = [NavItem(_("Home"), reverse("web:home"), "home")]
    if can(user, "view", resource="account"):
        items.append(NavItem(_("Accounts"), reverse("accounts:account-list"), "accounts"))
    if can(user, "view", resource="contact"):
        items.append(NavItem(_("Contacts"), reverse("contacts:contact-list"), "contacts"))
    if can(user, "view", resource="meeting"):
        items.append(NavItem(_("Calendar"), reverse("meetings:calendar"), "meetings"))
    if can(user, "view", resource="task"):
        items.append(NavItem(_("Tasks"), reverse("scheduling:task-list"), "tasks"))
    if can(user, "view", resource="lead"):
        items.append(NavItem(_("Leads"), reverse("pipeline:lead-list"), "leads"))
    if can(user, "view", resource="opportunity") and can(user, "view", resource="pipeline"):
        items.append(NavItem(_("Pipeline"), reverse("pipeline:board"), "pipeline"))
    if can(user, "view", resource="ticket"):
        items.append(NavItem(_("Tickets"), reverse("tickets:ticket-queue"), "tickets"))
    if can(user, "view", resource="subscription"):
        items.append(NavItem(_("Revenue"), reverse("contracts:revenue"), "revenue"))
        items.append(NavItem(_("Renewals"), reverse("renewals:renewal-list"), "renewals"))
    if can(user, "view", resource="health"):
        items.append(NavItem(_("Code red"), reverse("health:board"), "health"))
    if can(user, "view", resource="quota"):
        items.append(NavItem(_("Quotas"), reverse("quotas:team"), "quotas"))
    if can(user, "create", resource="account") or can(user, "create", resource="contact"):
        items.append(NavItem(_("Import"), reverse("transfer:import-start"), "imports"))
    admin_items = []
    if can(user, "view", resource="user"):
        admin_items.append(NavItem(_("Users"), reverse("identity:user-list"), "users"))
    if can(user, "view", resource="team"):
        admin_items.append(NavItem(_("Teams"), reverse("identity:team-list"), "teams"))
    if can(user, "view", resource="access_policy"):
        admin_items.append(NavItem(_("Roles"), reverse("identity:role-list"), "roles"))
        admin_items.append(NavItem(_("Permissions"), reverse("access:policy-edit"), "permissions"))
        admin_items.append(NavItem(_("Explain access"), reverse("access:explain"), "explain"))
    if can(user, "create", resource="custom_field"):
        admin_items.append(NavItem(_("Custom fields"), reverse("customfields:field-list"), "custom_fields"))
    if can(user, "change", resource="handoff_template"):
        admin_items.append(NavItem(_("Handoff templates"), reverse("collaboration:template-list"),
                                   "handoff_templates"))
    if can(user, "change", resource="pipeline"):
        admin_items.append(NavItem(_("Pipelines"), reverse("pipeline:pipeline-admin"), "pipelines"))
    if can(user, "change", resource="ticket_config"):
        admin_items.append(NavItem(_("Routing and SLAs"), reverse("tickets:ticket-settings"), "ticket_config"))
    if can(user, "change", resource="renewal_settings"):
        admin_items.append(NavItem(_("Renewal settings"), reverse("renewals:settings"), "renewal_settings"))
    if can(user, "view", resource="audit_log"):
        admin_items.append(NavItem(_("Audit log"), reverse("audit:entry-list"), "audit"))
    if can(user, "view", resource="notification_delivery"):
        admin_items.append(NavItem(_("Notification deliveries"), reverse("notifications:delivery-list"),
                                   "deliveries"))
    return {**base, "nav_items": items, "admin_nav_items": admin_items}
