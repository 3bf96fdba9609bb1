"""Support mail held for review (unknown senders, with TANDEM_SUPPORT_UNKNOWN_SENDERS=hold): an agent accepts
(a contact is created and the ticket opened) or discards each message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.core.exceptions import DomainError, PermissionDenied
from tandem.identity.requests import AuthedRequest
from tandem.tickets import inbound, mailparse

PAGE = 50


@login_required
def held_list(request: AuthedRequest) -> HttpResponse:
    try:
        rows = inbound.held_list(actor=request.user)
    except PermissionDenied:
        raise Http404 from None
    total = rows.count()
    items = []
    for row in rows[:PAGE]:  # the newest; accepting or discarding them brings the next ones up
        parsed = mailparse.parse(bytes(row.raw), inbound.limits())
        items.append({"row": row, "text": parsed.text[:2000], "notes": parsed.notes})
    return render(request, "tickets/mail_held.html", {"nav_active": "tickets", "items": items, "total": total,
                                                       "more": max(total - PAGE, 0)})


def _act(request: AuthedRequest, pk: int, accept: bool) -> HttpResponse:
    try:
        row = inbound.held_get(actor=request.user, pk=pk)
        if accept:
            row = inbound.held_accept(actor=request.user, row=row)
            if row.ticket is not None:
                messages.success(request, _("Ticket %(reference)s opened.") % {"reference": row.ticket.reference})
            else:
                messages.error(request, row.reason)
        else:
            inbound.held_discard(actor=request.user, row=row)
            messages.success(request, _("The message was discarded."))
    except PermissionDenied:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("tickets:mail-held")


@login_required
@require_POST
def held_accept(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, accept=True)


@login_required
@require_POST
def held_discard(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, accept=False)
