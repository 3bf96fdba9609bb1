"""Contact pages: list, detail, create, edit, delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
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
from tandem.core.exceptions import DomainError, NotFound, PermissionDenied, ValidationFailed
from tandem.core.forms import add_domain_errors
from tandem.customfields.forms import add_custom_fields, custom_changes, custom_display
from tandem.customfields.selectors import redact_changes
from tandem.identity.requests import AuthedRequest


def _get_or_404(request: AuthedRequest, public_id: str) -> Contact:
    try:
        return selectors.contact_get(actor=request.user, public_id=public_id)
    except NotFound:
        raise Http404 from None


@login_required
def contact_list(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    if not can(actor, Action.VIEW, resource="contact"):
        raise Http404
    search = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    filters = selectors.ContactFilters(search=search, buying_role=role if role in BuyingRole.values else "")
    try:
        page = paginate(selectors.contact_list(actor=actor, filters=filters),
                        ordering=("last_name", "first_name", "id"), limit=50, cursor=request.GET.get("cursor") or None)
    except DomainError:
        return redirect("contacts:contact-list")
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(request, "contacts/contact_list.html", {
        "nav_active": "contacts", "page": page, "search": search, "filters": filters, "query": query.urlencode(),
        "buying_roles": BuyingRole.choices, "can_create": can(actor, Action.CREATE, resource="contact"),
    })


@login_required
def contact_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    contact = _get_or_404(request, public_id)
    return render(request, "contacts/contact_detail.html", {
        "nav_active": "contacts",
        "contact": contact,
        "phones": [display_phone(phone) for phone in contact.phones],
        "custom_values": custom_display(actor=actor, resource="contact", values=contact.custom),
        "account_history": selectors.contact_account_history(actor=actor, contact=contact)[:10],
        "history": [_redact(actor, entry)
                    for entry in audit_selectors.entries_for_object(actor=actor, obj=contact)[:20]],
        "can_change": can(actor, Action.CHANGE, contact),
        "can_delete": can(actor, Action.DELETE, contact),
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
