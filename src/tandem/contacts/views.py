"""Contact pages: list, detail, create, edit, delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts import selectors as account_selectors
from tandem.api.pagination import paginate
from tandem.audit import selectors as audit_selectors
from tandem.contacts import selectors, services
from tandem.contacts.choices import BuyingRole
from tandem.contacts.forms import ContactForm
from tandem.contacts.logic import display_phone
from tandem.contacts.models import Contact
from tandem.contacts.sections import contact_sections_for
from tandem.core.exceptions import DomainError, NotFound, PermissionDenied, ValidationFailed
from tandem.core.forms import add_domain_errors
from tandem.customfields.forms import add_custom_fields, custom_changes, custom_display
from tandem.customfields.lists import Column, list_context, list_query
from tandem.customfields.selectors import redact_changes
from tandem.identity.requests import AuthedRequest


def _get_or_404(request: AuthedRequest, public_id: str) -> Contact:
    try:
        return selectors.contact_get(actor=request.user, public_id=public_id)
    except NotFound:
        raise Http404 from None


COLUMNS = {
    "account": Column(gettext_lazy("Account"), lambda c: c.account.name if c.account else "",
                      link=lambda c: reverse("accounts:account-detail", args=[c.account.public_id])),
    "title": Column(gettext_lazy("Job title"), lambda c: c.title),
    "role": Column(gettext_lazy("Buying role"), lambda c: c.get_buying_role_display()),
    "email": Column(gettext_lazy("Email"), lambda c: c.email, link=lambda c: f"mailto:{c.email}"),
    "phone": Column(gettext_lazy("Phone"), lambda c: display_phone(c.phones[0]) if c.phones else ""),
    "owner": Column(gettext_lazy("Account owner"), lambda c: c.account.owner if c.account else ""),
    "language": Column(gettext_lazy("Preferred language"), lambda c: c.language),
    "time_zone": Column(gettext_lazy("Time zone"), lambda c: c.time_zone),
    "email_opt_out": Column(gettext_lazy("Opted out of email"), lambda c: "✓" if c.email_opt_out else ""),
    "external_id": Column(gettext_lazy("External id"), lambda c: c.external_id),
    "updated": Column(gettext_lazy("Updated"), lambda c: date_format(localtime(c.updated_at), "SHORT_DATE_FORMAT")),
}
DEFAULT_COLUMNS = ("account", "title", "role", "email")
SORT_LABELS = {"name": gettext_lazy("Name A–Z"), "-name": gettext_lazy("Name Z–A"),
               "email": gettext_lazy("Email A–Z"), "-created": gettext_lazy("Newest first"),
               "-updated": gettext_lazy("Recently changed")}
YES_NO = {"yes": True, "no": False}


def _person(actor: Any, value: str) -> str:
    """An owner or team-member filter value: an email, or ``me`` for whoever looks at the list."""
    return actor.email if value.strip().lower() == "me" else value.strip()


@login_required
def contact_list(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    if not can(actor, Action.VIEW, resource="contact"):
        raise Http404
    params = request.GET
    search = params.get("q", "").strip()
    try:
        listing = list_query(actor=actor, resource="contact", params=params, columns=COLUMNS,
                             default_columns=DEFAULT_COLUMNS, default_sort="name")
        filters = selectors.ContactFilters(
            search=search,
            buying_role=params.get("role", "") if params.get("role") in BuyingRole.values else "",
            account_public_id=params.get("account", "").strip(),
            owner_email=_person(actor, params.get("owner", "")),
            member_email=_person(actor, params.get("member", "")),
            email_opt_out=YES_NO.get(params.get("email_opt_out", "")),
            custom=listing.custom_filters,
        )
        contacts, ordering = selectors.contact_sorted(actor=actor, contacts=selectors.contact_list(
            actor=actor, filters=filters), sort=listing.sort)
        page = paginate(contacts, ordering=ordering, limit=50, cursor=params.get("cursor") or None)
    except DomainError:
        return redirect("contacts:contact-list")
    return render(request, "contacts/contact_list.html", {
        **list_context(listing, items=page.items, columns=COLUMNS, sorts=SORT_LABELS),
        "nav_active": "contacts",
        "page": page,
        "search": search,
        "filters": filters,
        "filter_account": _visible_account(actor, filters.account_public_id),
        "owner": params.get("owner", "").strip(),
        "member": params.get("member", "").strip(),
        "people": account_selectors.account_people(actor=actor),
        "buying_roles": BuyingRole.choices,
        "saved_views": account_selectors.saved_view_list(actor=actor, resource="contact"),
        "my_teams": list(actor.teams.all()) + list(actor.managed_teams.all()),
        "can_create": can(actor, Action.CREATE, resource="contact"),
    })


def _visible_account(actor: Any, public_id: str) -> Any:
    if not public_id:
        return None
    try:
        return account_selectors.account_get(actor=actor, public_id=public_id)
    except NotFound:
        return None


@login_required
def contact_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    contact = _get_or_404(request, public_id)
    return render(request, "contacts/contact_detail.html", {
        "nav_active": "contacts",
        "contact": contact,
        "phones": [display_phone(phone) for phone in contact.phones],
        "custom_values": custom_display(actor=actor, resource="contact", values=contact.custom),
        "account_history": selectors.contact_account_history(actor=actor, contact=contact),
        "history": [_redact(actor, entry)
                    for entry in audit_selectors.entries_for_object(actor=actor, obj=contact)[:20]],
        "can_change": can(actor, Action.CHANGE, contact),
        "can_delete": can(actor, Action.DELETE, contact),
        "sections": contact_sections_for(actor=actor, contact=contact),
    })


@login_required
def contact_create(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    if not can(actor, Action.CREATE, resource="contact"):
        raise Http404
    initial = {"account": request.GET.get("account", "")}
    form = ContactForm(request.POST or None, initial=initial)
    add_custom_fields(form, actor=actor, resource="contact", values={})
    if request.method == "POST" and form.is_valid():
        try:
            custom = custom_changes(form)
            contact = services.contact_create(actor=actor, custom=custom, **_resolved(actor, form.cleaned_data))
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Contact created."))
            return redirect("contacts:contact-detail", contact.public_id)
    return render(request, "contacts/contact_form.html", {"nav_active": "contacts", "form": form})


@login_required
def contact_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    contact = _get_or_404(request, public_id)
    if not can(actor, Action.CHANGE, contact):
        raise PermissionDenied(_("You may not change this contact."))
    initial: dict[str, Any] = {name: getattr(contact, name) for name in (
        "first_name", "last_name", "email", "title", "buying_role", "language", "time_zone", "email_opt_out",
        "survey_opt_out")}
    initial.update({"other_emails": ", ".join(contact.other_emails), "phones": ", ".join(contact.phones),
                    "account": contact.account.public_id if contact.account else ""})
    form = ContactForm(request.POST or None, initial=initial)
    add_custom_fields(form, actor=actor, resource="contact", values=contact.custom)
    if request.method == "POST" and form.is_valid():
        try:
            custom = custom_changes(form)
            services.contact_update(actor=actor, contact=contact, custom=custom, **_resolved(actor, form.cleaned_data))
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Contact saved."))
            return redirect("contacts:contact-detail", contact.public_id)
    return render(request, "contacts/contact_form.html", {"nav_active": "contacts", "form": form, "contact": contact})


@login_required
@require_POST
def contact_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    services.contact_delete(actor=request.user, contact=_get_or_404(request, public_id))
    messages.success(request, _("Contact deleted."))
    return redirect("contacts:contact-list")


def _redact(actor: Any, entry: Any) -> Any:
    entry.changes = redact_changes(actor=actor, resource="contact", changes=entry.changes)
    return entry


def _resolved(actor: Any, data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    public_id = (data.pop("account") or "").strip()
    data["account"] = None
    if public_id:
        try:
            data["account"] = account_selectors.account_get(actor=actor, public_id=public_id)
        except NotFound:
            raise ValidationFailed(_("Unknown account."),
                                   errors={"account": [_("Pick an account from the suggestions.")]}) from None
    return data
