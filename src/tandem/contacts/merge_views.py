"""The contact merge page: pick the duplicate, choose values side by side, confirm."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.contacts import merge, selectors
from tandem.contacts.models import Contact
from tandem.core.exceptions import DomainError, NotFound
from tandem.identity.requests import AuthedRequest


def _display(contact: Contact, field: str) -> str:
    display = getattr(contact, f"get_{field}_display", None)
    value = display() if display is not None else getattr(contact, field)
    return "" if value is None else str(value)


@login_required
def contact_merge(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    try:
        kept = selectors.contact_get(actor=actor, public_id=public_id)
    except NotFound:
        raise Http404 from None
    if not can(actor, Action.CHANGE, kept):
        raise Http404
    candidates = selectors.contact_list(actor=actor).exclude(pk=kept.pk)
    if kept.account_id:
        candidates = candidates.filter(account_id=kept.account_id)
    duplicate_id = (request.POST.get("duplicate") or request.GET.get("duplicate") or "").strip()
    duplicate = candidates.filter(public_id=duplicate_id).first() if duplicate_id else None
    if request.method == "POST" and duplicate is not None and "confirm" in request.POST:
        choices = {field: request.POST.get(f"take-{field}") == "duplicate" for field in merge.MERGEABLE_FIELDS}
        try:
            merge.contact_merge(actor=actor, kept=kept, removed=duplicate, choose_from_removed=choices)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Merged %(name)s into this contact.") % {"name": duplicate})
            return redirect("contacts:contact-detail", kept.public_id)
    rows = []
    if duplicate is not None:
        rows = [{"field": field, "label": getattr(Contact._meta.get_field(field), "verbose_name", field),
                 "kept": _display(kept, field), "duplicate": _display(duplicate, field),
                 "differs": _display(kept, field) != _display(duplicate, field)} for field in merge.MERGEABLE_FIELDS]
    return render(request, "contacts/contact_merge.html", {
        "nav_active": "contacts", "contact": kept, "duplicate": duplicate, "rows": rows,
        "candidates": candidates[:50], "may_delete_duplicate": duplicate is not None and can(actor, Action.DELETE,
                                                                                             duplicate)})
