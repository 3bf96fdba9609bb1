"""Ticket pages: the agent queues (with bulk actions and keyboard shortcuts), the ticket form, the ticket page
(thread, SLA timers, reply, note, assign, escalate, hand to the CSM, satisfaction), the report and the SLA
settings."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts import selectors as account_selectors
from tandem.api.pagination import paginate
from tandem.core.exceptions import DomainError, NotFound, ValidationFailed
from tandem.core.forms import add_domain_errors
from tandem.identity.requests import AuthedRequest
from tandem.tickets import config, selectors, services
from tandem.tickets.choices import ACTIVE_STATUSES, Priority, Status, Tier
from tandem.tickets.forms import EscalateForm, NoteForm, ReplyForm, SatisfactionForm, TicketForm
from tandem.tickets.models import NO_DEADLINE, Ticket

QUEUE_LABELS = {"tier1": gettext_lazy("Tier 1"), "tier2": gettext_lazy("Tier 2"), "mine": gettext_lazy("My tickets"),
                "unassigned": gettext_lazy("Unassigned"), "breaching": gettext_lazy("About to breach"),
                "all": gettext_lazy("All open")}


def _get_or_404(actor: Any, public_id: str) -> Ticket:
    try:
        return selectors.ticket_get(actor=actor, public_id=public_id)
    except NotFound:
        raise Http404 from None


def _require_view(actor: Any) -> None:
    if not can(actor, Action.VIEW, resource="ticket"):
        raise Http404


def due_state(ticket: Ticket, now: datetime.datetime, warning: int | None = None) -> dict[str, Any]:
    """How the queue shows a ticket's next deadline: paused, none, breached (minutes over) or due in.
    ``warning``: the SLA warning minutes (read once per page by the caller; read here when not given)."""
    if ticket.status == Status.PENDING_CUSTOMER:
        return {"state": "paused"}
    if ticket.status not in ACTIVE_STATUSES or ticket.queue_due_at >= NO_DEADLINE:
        return {"state": "none"}
    minutes = int((ticket.queue_due_at - now).total_seconds() // 60)
    if warning is None:
        warning = selectors.sla_settings().warning_minutes
    state = "breached" if minutes < 0 else "warning" if minutes <= warning else "ok"
    return {"state": state, "minutes": abs(minutes), "hours": abs(minutes) // 60, "rest": abs(minutes) % 60,
            "at": ticket.queue_due_at}


def _labels() -> dict[str, dict[Any, str]]:
    """Choice labels translated once per page (``get_FOO_display`` rebuilds and hashes the lazy choices on every
    call: ~0.25 ms each, three per row)."""
    return {name: {value: str(label) for value, label in choices.choices}
            for name, choices in (("priority", Priority), ("status", Status), ("tier", Tier))}


def _queue_row(ticket: Ticket, now: datetime.datetime, warning: int, detail_url: str,
               labels: dict[str, dict[Any, str]]) -> dict[str, Any]:
    """One queue row as ready strings: the template then only prints them (per-row template work — lookups,
    ``get_*_display``, an include with ``blocktranslate`` and ``date`` — was most of the page's time)."""
    due = due_state(ticket, now, warning)
    label, css, title = "—", "", ""
    if due["state"] == "paused":
        label, css = _("Paused"), "badge"
        title = _("The SLA clock stands still while we wait for the customer.")
    elif due["state"] in ("breached", "warning", "ok"):
        values = {"hours": due["hours"], "minutes": due["rest"]}
        label = (_("Breached %(hours)s h %(minutes)s min ago") if due["state"] == "breached"
                 else _("Due in %(hours)s h %(minutes)s min")) % values
        css = {"breached": "badge badge-red", "warning": "badge badge-yellow", "ok": ""}[due["state"]]
        title = date_format(timezone.localtime(due["at"]), "DATETIME_FORMAT")
    return {"public_id": ticket.public_id, "url": f"{detail_url}{ticket.public_id}/", "reference": ticket.reference,
            "select_label": _("Select %(reference)s") % {"reference": ticket.reference}, "subject": ticket.subject,
            "due_label": label, "due_class": css, "due_title": title, "due_paused": due["state"] == "paused",
            "priority": ticket.priority, "priority_label": labels["priority"].get(ticket.priority, ticket.priority),
            "status_label": labels["status"].get(ticket.status, ticket.status),
            "tier_label": labels["tier"].get(ticket.tier, str(ticket.tier)),
            "account": ticket.account.name if ticket.account else "—",
            "assignee": str(ticket.assignee) if ticket.assignee else "—"}


@login_required
def ticket_queue(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    _require_view(actor)
    queue = request.GET.get("queue", "tier1")
    warning = selectors.sla_settings().warning_minutes  # once per page, not once per row
    try:
        filters = selectors.queue_filters(queue=queue, warning_minutes=warning)
    except ValidationFailed:
        return redirect("tickets:ticket-queue")
    try:
        tickets = selectors.ticket_list(actor=actor, filters=filters).defer("description")
        page = paginate(tickets.prefetch_related(None).prefetch_related("account"),
                        ordering=selectors.QUEUE_ORDERING, limit=50, cursor=request.GET.get("cursor") or None)
    except DomainError:
        return redirect("tickets:ticket-queue")
    now = timezone.now()
    detail_url = reverse("tickets:ticket-detail", args=["-"]).removesuffix("-/")
    labels = _labels()
    rows = [_queue_row(ticket, now, warning, detail_url, labels) for ticket in page.items]
    groups = list(selectors.group_list())
    return render(request, "tickets/ticket_queue.html", {
        "nav_active": "tickets", "queue": queue, "rows": rows, "page": page, "queues": QUEUE_LABELS.items(),
        "groups": groups, "agents": selectors.agents(), "statuses": Status.choices, "priorities": Priority.choices,
        "can_create": can(actor, Action.CREATE, resource="ticket")})


@login_required
@require_POST
def ticket_bulk(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    _require_view(actor)
    action = request.POST.get("action", "")
    changes: dict[str, Any] = {}
    if action == "assign":
        email = request.POST.get("assignee", "").strip()
        changes["assignee"] = actor if email == "me" else (selectors.assignable_user(email=email) if email else None)
    elif action == "status":
        changes["status"] = request.POST.get("status", "")
    elif action == "priority":
        changes["priority"] = request.POST.get("priority", "")
    try:
        tickets = services.ticket_bulk_update(actor=actor, public_ids=request.POST.getlist("tickets"), **changes)
        messages.success(request, _("%(count)d tickets changed.") % {"count": len(tickets)})
    except DomainError as error:
        messages.error(request, error.message)
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/tickets/") else "tickets:ticket-queue")


def _resolve_account(actor: Any, text: str) -> Any:
    text = text.strip()
    if not text:
        return None
    try:
        return account_selectors.account_get(actor=actor, public_id=text)
    except NotFound:
        match = account_selectors.account_list(actor=actor).filter(name__iexact=text).first()
        if match is None:
            raise ValidationFailed(_("Unknown account."), errors={"account": [_("No visible account of that name.")]}
                                   ) from None
        return match


@login_required
def ticket_create(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    if not can(actor, Action.CREATE, resource="ticket"):
        raise Http404
    form = TicketForm(request.POST or None, initial={"account": request.GET.get("account", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_create(
                actor=actor, subject=data["subject"], description=data["description"],
                account=_resolve_account(actor, data["account"]), requester_email=data["requester_email"],
                requester_name=data["requester_name"], channel=data["channel"], category=data["category"],
                priority=data["priority"], tags=[tag for tag in data["tags"].split(",") if tag.strip()],
                uploads=request.FILES.getlist("attachments"))
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Ticket %(reference)s opened.") % {"reference": ticket.reference})
            return redirect("tickets:ticket-detail", ticket.public_id)
    return render(request, "tickets/ticket_form.html", {"nav_active": "tickets", "form": form})


@login_required
def ticket_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    ticket = _get_or_404(actor, public_id)
    now = timezone.now()
    thread: list[dict[str, Any]] = [{"at": message.created_at, "message": message}
                                    for message in selectors.ticket_messages(ticket=ticket)]
    thread += [{"at": event.occurred_at, "event": event} for event in selectors.ticket_events(ticket=ticket)
               if event.kind not in ("replied", "noted")]
    thread.sort(key=lambda item: item["at"])
    can_change = can(actor, Action.CHANGE, ticket)
    csm = selectors.account_seat_holder(account=ticket.account, role_code="csm")
    return render(request, "tickets/ticket_detail.html", {
        "nav_active": "tickets", "ticket": ticket, "thread": thread, "can_change": can_change,
        "timers": selectors.ticket_timers(ticket=ticket, now=now), "due": due_state(ticket, now),
        "tags": [tag.name for tag in ticket.tags.all()], "csm": csm,
        "reply_form": ReplyForm(), "note_form": NoteForm(), "escalate_form": EscalateForm(),
        "satisfaction_form": SatisfactionForm(), "statuses": Status.choices, "priorities": Priority.choices,
        "agents": selectors.agents(), "attachments": [item for item in ticket.attachments.all()],
        "can_delete": can(actor, Action.DELETE, ticket)})


def _act(request: AuthedRequest, public_id: str, action: Any, success: str) -> HttpResponse:
    ticket = _get_or_404(request.user, public_id)
    try:
        action(ticket)
        messages.success(request, success)
    except DomainError as error:
        details = " ".join(message for field in error.errors.values() for message in field)
        messages.error(request, f"{error.message} {details}".strip())
    return redirect("tickets:ticket-detail", ticket.public_id)


@login_required
@require_POST
def ticket_reply(request: AuthedRequest, public_id: str) -> HttpResponse:
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a reply first."))
        return redirect("tickets:ticket-detail", public_id)
    return _act(request, public_id, lambda ticket: services.ticket_reply(
        actor=request.user, ticket=ticket, body=form.cleaned_data["body"], status=form.cleaned_data["status"] or None,
        uploads=request.FILES.getlist("attachments")), _("Reply sent."))


@login_required
@require_POST
def ticket_note(request: AuthedRequest, public_id: str) -> HttpResponse:
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a note first."))
        return redirect("tickets:ticket-detail", public_id)
    return _act(request, public_id, lambda ticket: services.ticket_note(
        actor=request.user, ticket=ticket, body=form.cleaned_data["body"],
        uploads=request.FILES.getlist("attachments")), _("Note added."))


@login_required
@require_POST
def ticket_escalate(request: AuthedRequest, public_id: str) -> HttpResponse:
    return _act(request, public_id, lambda ticket: services.ticket_escalate(
        actor=request.user, ticket=ticket, reason=request.POST.get("reason", "")), _("Escalated to tier 2."))


@login_required
@require_POST
def ticket_assign(request: AuthedRequest, public_id: str) -> HttpResponse:
    email = request.POST.get("assignee", "").strip()
    assignee = request.user if email == "me" else (selectors.assignable_user(email=email) if email else None)
    return _act(request, public_id, lambda ticket: services.ticket_assign(
        actor=request.user, ticket=ticket, assignee=assignee), _("Assignment saved."))


@login_required
@require_POST
def ticket_hand_to_csm(request: AuthedRequest, public_id: str) -> HttpResponse:
    return _act(request, public_id, lambda ticket: services.ticket_hand_to_csm(actor=request.user, ticket=ticket),
                _("Handed to the account's CSM."))


@login_required
@require_POST
def ticket_change(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Status or priority from the ticket page's selects."""
    def change(ticket: Ticket) -> None:
        if request.POST.get("priority"):
            ticket = services.ticket_update(actor=request.user, ticket=ticket, priority=request.POST["priority"])
        if request.POST.get("status"):
            services.ticket_set_status(actor=request.user, ticket=ticket, status=request.POST["status"])

    return _act(request, public_id, change, _("Ticket updated."))


@login_required
@require_POST
def ticket_satisfaction(request: AuthedRequest, public_id: str) -> HttpResponse:
    form = SatisfactionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Rate from 1 to 5."))
        return redirect("tickets:ticket-detail", public_id)
    return _act(request, public_id, lambda ticket: services.ticket_rate(
        actor=request.user, ticket=ticket, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]),
        _("Satisfaction recorded."))


@login_required
@require_POST
def ticket_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    ticket = _get_or_404(request.user, public_id)
    try:
        services.ticket_delete(actor=request.user, ticket=ticket)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("tickets:ticket-detail", public_id)
    messages.success(request, _("Ticket deleted."))
    return redirect("tickets:ticket-queue")


@login_required
def ticket_report(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    _require_view(actor)
    days = request.GET.get("days", "30")
    days_value = int(days) if days.isdigit() and 1 <= int(days) <= 730 else 30
    end = timezone.now()
    report = selectors.ticket_report(actor=actor, start=end - datetime.timedelta(days=days_value), end=end)
    return render(request, "tickets/ticket_report.html", {"nav_active": "tickets", "report": report,
                                                          "days": days_value})


@login_required
def ticket_settings(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    try:
        rules = list(selectors.routing_rule_list(actor=actor))
    except DomainError:
        raise Http404 from None
    if request.method == "POST":
        try:
            config.sla_settings_update(actor=actor, warning_minutes=int(request.POST.get("warning_minutes", "x")))
            messages.success(request, _("SLA settings saved."))
        except (DomainError, ValueError):
            messages.error(request, _("Between 0 and 10,080 minutes."))
        return redirect("tickets:ticket-settings")
    return render(request, "tickets/ticket_settings.html", {
        "nav_active": "tickets", "rules": rules, "policies": selectors.sla_policy_list(actor=actor),
        "hours": selectors.business_hours_list(actor=actor), "groups": selectors.group_list(),
        "settings": selectors.sla_settings(),
        "can_change": can(actor, Action.CHANGE, resource="ticket_config")})
