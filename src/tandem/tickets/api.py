"""Tickets API: /api/v1/tickets (tickets, replies, notes, escalation, assignment, satisfaction, bulk, load and
report) and the configuration: /api/v1/ticket-routing-rules, /ticket-sla-policies, /ticket-business-hours,
/ticket-groups."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from ninja import Router
from ninja.responses import Status as HttpStatus

from tandem.accounts import selectors as account_selectors
from tandem.accounts.models import Account
from tandem.api.auth import api_actor
from tandem.api.pagination import paginate
from tandem.contacts import selectors as contact_selectors
from tandem.core.exceptions import NotFound, ValidationFailed
from tandem.identity.models import User
from tandem.identity.requests import AuthedRequest
from tandem.tickets import config, selectors, services
from tandem.tickets.choices import Category, Channel, Priority, Status
from tandem.tickets.models import BusinessHours, RoutingRule, SlaPolicy, Ticket, TicketGroup, TicketMessage
from tandem.tickets.schemas import (
    AssignIn,
    BulkIn,
    BulkOut,
    EscalateIn,
    GroupOut,
    HoursIn,
    HoursOut,
    HoursPage,
    HoursPatch,
    LoadPage,
    MessageOut,
    MessagePage,
    NoteIn,
    PolicyIn,
    PolicyOut,
    PolicyPage,
    PolicyPatch,
    ReplyIn,
    ReportOut,
    RuleIn,
    RuleOut,
    RulePage,
    RulePatch,
    SatisfactionIn,
    TicketIn,
    TicketOut,
    TicketPage,
    TicketPatch,
)

router = Router(tags=["tickets"])
rules_router = Router(tags=["tickets"])
policies_router = Router(tags=["tickets"])
hours_router = Router(tags=["tickets"])
groups_router = Router(tags=["tickets"])


# --- output ---------------------------------------------------------------------------------------------------


def _person(user: User | None) -> dict[str, str] | None:
    return {"id": user.public_id, "email": user.email, "name": str(user)} if user else None


def ticket_out(ticket: Ticket) -> dict[str, Any]:
    tags = [tag.name for tag in ticket.tags.all()]
    requester = None
    if ticket.requester is not None or ticket.requester_email:
        requester = {"id": ticket.requester.public_id if ticket.requester else None, "email": ticket.requester_email,
                     "name": ticket.requester_name or (str(ticket.requester) if ticket.requester else "")}
    satisfaction = None
    if ticket.satisfaction_rating is not None:
        satisfaction = {"rating": ticket.satisfaction_rating, "comment": ticket.satisfaction_comment,
                        "rated_at": ticket.satisfaction_at}
    return {
        "id": ticket.public_id, "reference": ticket.reference, "subject": ticket.subject,
        "description": ticket.description, "status": ticket.status, "priority": ticket.priority,
        "channel": ticket.channel, "category": ticket.category, "tier": ticket.tier,
        "account": {"id": ticket.account.public_id, "name": ticket.account.name} if ticket.account else None,
        "requester": requester, "assignee": _person(ticket.assignee),
        "group": {"id": ticket.group.public_id, "name": ticket.group.name} if ticket.group else None,
        "tags": tags,
        "sla": {"policy": ticket.sla_policy.name if ticket.sla_policy_id and ticket.sla_policy else None,
                "first_response_due_at": ticket.first_response_due_at,
                "resolution_due_at": ticket.resolution_due_at, "first_responded_at": ticket.first_responded_at,
                "first_response_minutes": ticket.first_response_minutes,
                "first_response_met": ticket.first_response_met, "resolution_minutes": ticket.resolution_minutes,
                "resolution_met": ticket.resolution_met, "paused": ticket.status == Status.PENDING_CUSTOMER},
        "satisfaction": satisfaction, "escalated_at": ticket.escalated_at, "solved_at": ticket.solved_at,
        "closed_at": ticket.closed_at, "created_at": ticket.created_at, "updated_at": ticket.updated_at,
    }


def _message_out(message: TicketMessage) -> dict[str, Any]:
    return {"id": message.public_id, "kind": message.kind, "direction": message.direction,
            "channel": message.channel, "author": _person(message.author), "author_email": message.author_email,
            "body": message.body, "body_html": message.body_html, "message_id": message.message_id,
            "attachments": [{"id": item.public_id, "name": item.name} for item in message.attachments.all()],
            "created_at": message.created_at}


# --- input resolution -----------------------------------------------------------------------------------------


def _user(actor: Any, value: str | None, field: str) -> User | None:
    if value is None or value.strip().lower() in ("", "none"):
        return None
    if value.strip().lower() == "me":
        return actor
    user = selectors.assignable_user(email=value)
    if user is None:
        raise ValidationFailed("Unknown user.", errors={field: [f"No active user with email {value!r}."]})
    return user


def _account(actor: Any, public_id: str | None) -> Account | None:
    if not public_id:
        return None
    try:
        return account_selectors.account_get(actor=actor, public_id=public_id)
    except NotFound:
        raise ValidationFailed("Unknown account.",
                               errors={"account": [f"No visible account with id {public_id}."]}) from None


def _group(public_id: str | None, field: str = "group") -> TicketGroup | None:
    if not public_id:
        return None
    group = selectors.group_get(public_id=public_id)
    if group is None:
        raise ValidationFailed("Unknown group.", errors={field: [f"No support group with id {public_id}."]})
    return group


def _ticket(actor: Any, ticket_id: str) -> Ticket:
    return selectors.ticket_get(actor=actor, public_id=ticket_id)


# --- tickets ---------------------------------------------------------------------------------------------------


@router.get("", response=TicketPage, operation_id="tickets_ticket_list")
def ticket_list(request: AuthedRequest, limit: int | None = None, cursor: str | None = None, queue: str = "",
                status: Status | None = None, tier: int | None = None, group: str = "", assignee: str = "",
                account: str = "", priority: Priority | None = None, channel: Channel | None = None,
                category: Category | None = None, tag: str = "", q: str = "", sort: str = "") -> dict[str, Any]:
    """Visible tickets. ``queue`` is an agent queue (tier1, tier2, mine, unassigned, breaching, all — active
    tickets, most urgent first — or group:<id>); ``assignee`` an email, ``me`` or ``none``; ``sort`` due
    (next SLA deadline), -created (the default without a queue) or created."""
    actor = api_actor(request, scope="tickets:read")
    filters = selectors.queue_filters(queue=queue) if queue else selectors.TicketFilters()
    filters = selectors.TicketFilters(
        **{**filters.__dict__, **{key: value for key, value in {
            "statuses": (status,) if status else (), "tier": tier, "group_public_id": group, "assignee": assignee,
            "account_public_id": account, "priority": priority or "", "channel": channel or "",
            "category": category or "", "tag": tag, "search": q}.items() if value}})
    ordering = selectors.ordering_for(sort or ("due" if queue else "-created"))
    tickets = selectors.ticket_list(actor=actor, filters=filters).prefetch_related("sla_policy", "tags")
    page = paginate(tickets, ordering=ordering, limit=limit, cursor=cursor)
    return {"items": [ticket_out(ticket) for ticket in page.items], "next_cursor": page.next_cursor}


@router.post("", response={201: TicketOut}, operation_id="tickets_ticket_create")
def ticket_create(request: AuthedRequest, payload: TicketIn) -> HttpStatus:
    """Open a ticket; the requester is matched to a contact by ``requester_email`` when no ``requester`` is
    given. Without tier, group and assignee the routing rules decide."""
    actor = api_actor(request, scope="tickets:write")
    services.check_can_create(actor=actor)
    requester = None
    if payload.requester:
        try:
            requester = contact_selectors.contact_get(actor=actor, public_id=payload.requester)
        except NotFound:
            raise ValidationFailed("Unknown contact.", errors={
                "requester": [f"No visible contact with id {payload.requester}."]}) from None
    ticket = services.ticket_create(
        actor=actor, subject=payload.subject, description=payload.description,
        account=_account(actor, payload.account), requester=requester, requester_email=payload.requester_email or "",
        requester_name=payload.requester_name, channel=payload.channel, category=payload.category,
        priority=payload.priority, tier=payload.tier, group=_group(payload.group),
        assignee=_user(actor, payload.assignee, "assignee"), tags=payload.tags)
    return HttpStatus(201, ticket_out(_ticket(actor, ticket.public_id)))


@router.post("/bulk", response=BulkOut, operation_id="tickets_ticket_bulk")
def ticket_bulk(request: AuthedRequest, payload: BulkIn) -> dict[str, Any]:
    """Assign, change the status or the priority of every listed ticket, or of none (the problem's ``errors``
    names each ticket that is unknown or may not be changed)."""
    actor = api_actor(request, scope="tickets:write")
    changes: dict[str, Any] = {}
    if payload.assignee is not None:
        changes["assignee"] = _user(actor, payload.assignee, "assignee")
    if payload.status is not None:
        changes["status"] = payload.status
    if payload.priority is not None:
        changes["priority"] = payload.priority
    tickets = services.ticket_bulk_update(actor=actor, public_ids=payload.tickets, **changes)
    return {"items": [ticket_out(ticket) for ticket in tickets]}


@router.get("/load", response=LoadPage, operation_id="tickets_load_get")
def ticket_load(request: AuthedRequest, start: datetime.datetime, end: datetime.datetime,
                account: list[str] | None = None, period: str = "month") -> dict[str, Any]:
    """Tickets opened per account per period (day, week or month) in ``[start, end)``, counted and weighted by
    severity — the support load the health score reads. ``account`` (repeatable) limits it to those visible
    accounts; without it, every visible account."""
    actor = api_actor(request, scope="tickets:read")
    _aware(start, "start"), _aware(end, "end")
    accounts = account_selectors.account_list(actor=actor)
    if account:
        accounts = accounts.filter(public_id__in=account)
    ids = dict(accounts.values_list("pk", "public_id"))
    rows = selectors.ticket_load(account_ids=list(ids), start=start, end=end, period=period)
    return {"items": [{"account": ids[row.account_id], "period_start": row.period_start, "count": row.count,
                       "weighted": row.weighted} for row in rows]}


def _aware(value: datetime.datetime, field: str) -> datetime.datetime:
    if timezone.is_naive(value):
        raise ValidationFailed("Give an offset.", errors={field: ["Include a time-zone offset."]})
    return value


@router.get("/report", response=ReportOut, operation_id="tickets_report_get")
def ticket_report(request: AuthedRequest, start: datetime.datetime, end: datetime.datetime) -> dict[str, Any]:
    """First-response and resolution times (business minutes, median and p90), SLA attainment, volume by
    channel, category and tier of the visible tickets opened in ``[start, end)``; the backlog now."""
    actor = api_actor(request, scope="tickets:read")
    report = selectors.ticket_report(actor=actor, start=_aware(start, "start"), end=_aware(end, "end"))
    return {**report.__dict__, "first_response_minutes": report.first_response.__dict__,
            "resolution_minutes": report.resolution.__dict__,
            "by_tier": {str(key): value for key, value in report.by_tier.items()},
            "backlog_by_tier": {str(key): value for key, value in report.backlog_by_tier.items()}}


@router.get("/{ticket_id}", response=TicketOut, operation_id="tickets_ticket_get")
def ticket_get(request: AuthedRequest, ticket_id: str) -> dict[str, Any]:
    """One ticket, by public id or reference (T-10001)."""
    actor = api_actor(request, scope="tickets:read")
    return ticket_out(_ticket(actor, ticket_id))


@router.patch("/{ticket_id}", response=TicketOut, operation_id="tickets_ticket_update")
def ticket_update(request: AuthedRequest, ticket_id: str, payload: TicketPatch) -> dict[str, Any]:
    actor = api_actor(request, scope="tickets:write")
    ticket = _ticket(actor, ticket_id)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    for name in list(changes):
        if changes[name] is None and name != "account":
            raise ValidationFailed("This field cannot be null.", errors={name: ["May not be null."]})
    status = changes.pop("status", None)
    if "account" in changes:
        changes["account"] = _account(actor, changes["account"])
    services.check_can_change(actor=actor, ticket=ticket)
    if changes:
        ticket = services.ticket_update(actor=actor, ticket=ticket, **changes)
    if status is not None:
        ticket = services.ticket_set_status(actor=actor, ticket=ticket, status=status)
    return ticket_out(_ticket(actor, ticket.public_id))


@router.delete("/{ticket_id}", response={204: None}, operation_id="tickets_ticket_delete")
def ticket_delete(request: AuthedRequest, ticket_id: str) -> HttpStatus:
    actor = api_actor(request, scope="tickets:write")
    services.ticket_delete(actor=actor, ticket=_ticket(actor, ticket_id))
    return HttpStatus(204, None)


@router.get("/{ticket_id}/messages", response=MessagePage, operation_id="tickets_message_list")
def message_list(request: AuthedRequest, ticket_id: str, limit: int | None = None,
                 cursor: str | None = None) -> dict[str, Any]:
    """The ticket's public replies and internal notes, oldest first."""
    actor = api_actor(request, scope="tickets:read")
    messages = selectors.ticket_messages(ticket=_ticket(actor, ticket_id))
    page = paginate(messages, ordering=("created_at", "id"), limit=limit, cursor=cursor)
    return {"items": [_message_out(message) for message in page.items], "next_cursor": page.next_cursor}


@router.post("/{ticket_id}/replies", response={201: MessageOut}, operation_id="tickets_reply_create")
def reply_create(request: AuthedRequest, ticket_id: str, payload: ReplyIn) -> HttpStatus:
    """A public reply to the customer (the first one stops the first-response clock)."""
    actor = api_actor(request, scope="tickets:write")
    message = services.ticket_reply(actor=actor, ticket=_ticket(actor, ticket_id), body=payload.body,
                                    status=payload.status)
    return HttpStatus(201, _message_out(message))


@router.post("/{ticket_id}/notes", response={201: MessageOut}, operation_id="tickets_note_create")
def note_create(request: AuthedRequest, ticket_id: str, payload: NoteIn) -> HttpStatus:
    """An internal note; people mentioned as ``@[Name](user-public-id)`` are notified."""
    actor = api_actor(request, scope="tickets:write")
    message = services.ticket_note(actor=actor, ticket=_ticket(actor, ticket_id), body=payload.body)
    return HttpStatus(201, _message_out(message))


@router.post("/{ticket_id}/escalate", response=TicketOut, operation_id="tickets_ticket_escalate")
def ticket_escalate(request: AuthedRequest, ticket_id: str, payload: EscalateIn) -> dict[str, Any]:
    """Tier 1 → tier 2 with a required reason (409 when already in tier 2)."""
    actor = api_actor(request, scope="tickets:write")
    ticket = services.ticket_escalate(actor=actor, ticket=_ticket(actor, ticket_id), reason=payload.reason,
                                      group=_group(payload.group), assignee=_user(actor, payload.assignee,
                                                                                  "assignee"))
    return ticket_out(_ticket(actor, ticket.public_id))


@router.post("/{ticket_id}/assign", response=TicketOut, operation_id="tickets_ticket_assign")
def ticket_assign(request: AuthedRequest, ticket_id: str, payload: AssignIn) -> dict[str, Any]:
    actor = api_actor(request, scope="tickets:write")
    changes: dict[str, Any] = {}
    if "group" in payload.model_fields_set:
        changes["group"] = _group(payload.group)
    ticket = services.ticket_assign(actor=actor, ticket=_ticket(actor, ticket_id),
                                    assignee=_user(actor, payload.assignee, "assignee"), **changes)
    return ticket_out(_ticket(actor, ticket.public_id))


@router.post("/{ticket_id}/hand-to-csm", response=TicketOut, operation_id="tickets_ticket_handover")
def ticket_hand_to_csm(request: AuthedRequest, ticket_id: str) -> dict[str, Any]:
    """Assign the ticket to its account's CSM (product-setup advice)."""
    actor = api_actor(request, scope="tickets:write")
    ticket = services.ticket_hand_to_csm(actor=actor, ticket=_ticket(actor, ticket_id))
    return ticket_out(_ticket(actor, ticket.public_id))


@router.post("/{ticket_id}/satisfaction", response=TicketOut, operation_id="tickets_satisfaction_set")
def satisfaction_set(request: AuthedRequest, ticket_id: str, payload: SatisfactionIn) -> dict[str, Any]:
    """The customer's rating (1–5) and comment on a solved or closed ticket."""
    actor = api_actor(request, scope="tickets:write")
    ticket = services.ticket_rate(actor=actor, ticket=_ticket(actor, ticket_id), rating=payload.rating,
                                  comment=payload.comment)
    return ticket_out(_ticket(actor, ticket.public_id))


# --- routing rules --------------------------------------------------------------------------------------------


def _rule_out(rule: RoutingRule) -> dict[str, Any]:
    return {"id": rule.public_id, "name": rule.name, "position": rule.position, "is_active": rule.is_active,
            "channels": rule.channels, "categories": rule.categories, "account_tiers": rule.account_tiers,
            "keywords": rule.keywords,
            "group": {"id": rule.group.public_id, "name": rule.group.name} if rule.group else None,
            "tier": rule.tier, "assignee": _person(rule.assignee)}


@rules_router.get("", response=RulePage, operation_id="tickets_rule_list")
def rule_list(request: AuthedRequest, limit: int | None = None, cursor: str | None = None) -> dict[str, Any]:
    """Routing rules in the order they are tried (the first match routes a new ticket)."""
    actor = api_actor(request, scope="tickets:read")
    page = paginate(selectors.routing_rule_list(actor=actor), ordering=("position", "id"), limit=limit,
                    cursor=cursor)
    return {"items": [_rule_out(rule) for rule in page.items], "next_cursor": page.next_cursor}


@rules_router.post("", response={201: RuleOut}, operation_id="tickets_rule_create")
def rule_create(request: AuthedRequest, payload: RuleIn) -> HttpStatus:
    actor = api_actor(request, scope="tickets:admin")
    config.check_can_change(actor=actor)
    rule = config.routing_rule_create(
        actor=actor, name=payload.name, position=payload.position, is_active=payload.is_active,
        channels=[str(value) for value in payload.channels], categories=[str(value) for value in payload.categories],
        account_tiers=payload.account_tiers, keywords=payload.keywords, group=_group(payload.group),
        tier=payload.tier, assignee=_user(actor, payload.assignee, "assignee"))
    return HttpStatus(201, _rule_out(rule))


@rules_router.get("/{rule_id}", response=RuleOut, operation_id="tickets_rule_get")
def rule_get(request: AuthedRequest, rule_id: str) -> dict[str, Any]:
    actor = api_actor(request, scope="tickets:read")
    return _rule_out(selectors.routing_rule_get(actor=actor, public_id=rule_id))


@rules_router.patch("/{rule_id}", response=RuleOut, operation_id="tickets_rule_update")
def rule_update(request: AuthedRequest, rule_id: str, payload: RulePatch) -> dict[str, Any]:
    actor = api_actor(request, scope="tickets:admin")
    rule = selectors.routing_rule_get(actor=actor, public_id=rule_id)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    if "group" in changes:
        changes["group"] = _group(changes["group"])
    if "assignee" in changes:
        changes["assignee"] = _user(actor, changes["assignee"], "assignee")
    for name in ("channels", "categories"):
        if name in changes and changes[name] is not None:
            changes[name] = [str(value) for value in changes[name]]
    for name in ("name", "position", "is_active", "channels", "categories", "account_tiers", "keywords"):
        if name in changes and changes[name] is None:
            raise ValidationFailed("This field cannot be null.", errors={name: ["May not be null."]})
    return _rule_out(config.routing_rule_update(actor=actor, rule=rule, **changes))


@rules_router.delete("/{rule_id}", response={204: None}, operation_id="tickets_rule_delete")
def rule_delete(request: AuthedRequest, rule_id: str) -> HttpStatus:
    actor = api_actor(request, scope="tickets:admin")
    config.routing_rule_delete(actor=actor, rule=selectors.routing_rule_get(actor=actor, public_id=rule_id))
    return HttpStatus(204, None)


# --- SLA policies ---------------------------------------------------------------------------------------------


def _policy_out(policy: SlaPolicy) -> dict[str, Any]:
    return {"id": policy.public_id, "name": policy.name, "priority": policy.priority,
            "account_tier": policy.account_tier, "first_response_minutes": policy.first_response_minutes,
            "resolution_minutes": policy.resolution_minutes}


@policies_router.get("", response=PolicyPage, operation_id="tickets_policy_list")
def policy_list(request: AuthedRequest, limit: int | None = None, cursor: str | None = None) -> dict[str, Any]:
    actor = api_actor(request, scope="tickets:read")
    page = paginate(selectors.sla_policy_list(actor=actor), ordering=("priority", "account_tier", "id"),
                    limit=limit, cursor=cursor)
    return {"items": [_policy_out(policy) for policy in page.items], "next_cursor": page.next_cursor}


@policies_router.post("", response={201: PolicyOut}, operation_id="tickets_policy_create")
def policy_create(request: AuthedRequest, payload: PolicyIn) -> HttpStatus:
    actor = api_actor(request, scope="tickets:admin")
    policy = config.sla_policy_create(actor=actor, name=payload.name, priority=payload.priority,
                                      account_tier=payload.account_tier,
                                      first_response_minutes=payload.first_response_minutes,
                                      resolution_minutes=payload.resolution_minutes)
    return HttpStatus(201, _policy_out(policy))


@policies_router.get("/{policy_id}", response=PolicyOut, operation_id="tickets_policy_get")
def policy_get(request: AuthedRequest, policy_id: str) -> dict[str, Any]:
    actor = api_actor(request, scope="tickets:read")
    return _policy_out(selectors.sla_policy_get(actor=actor, public_id=policy_id))


@policies_router.patch("/{policy_id}", response=PolicyOut, operation_id="tickets_policy_update")
def policy_update(request: AuthedRequest, policy_id: str, payload: PolicyPatch) -> dict[str, Any]:
    actor = api_actor(request, scope="tickets:admin")
    policy = selectors.sla_policy_get(actor=actor, public_id=policy_id)
    changes = {key: value for key, value in payload.dict(exclude_unset=True).items() if value is not None}
    return _policy_out(config.sla_policy_update(actor=actor, policy=policy, **changes))


@policies_router.delete("/{policy_id}", response={204: None}, operation_id="tickets_policy_delete")
def policy_delete(request: AuthedRequest, policy_id: str) -> HttpStatus:
    actor = api_actor(request, scope="tickets:admin")
    config.sla_policy_delete(actor=actor, policy=selectors.sla_policy_get(actor=actor, public_id=policy_id))
    return HttpStatus(204, None)


# --- business hours --------------------------------------------------------------------------------------------


def _hours_out(hours: BusinessHours) -> dict[str, Any]:
    return {"id": hours.public_id, "name": hours.name, "time_zone": hours.time_zone, "windows": hours.windows,
            "holidays": [{"date": holiday.date, "name": holiday.name} for holiday in hours.holidays.all()],
            "is_default": hours.is_default}


@hours_router.get("", response=HoursPage, operation_id="tickets_hours_list")
def hours_list(request: AuthedRequest, limit: int | None = None, cursor: str | None = None) -> dict[str, Any]:
    actor = api_actor(request, scope="tickets:read")
    page = paginate(selectors.business_hours_list(actor=actor), ordering=("name", "id"), limit=limit, cursor=cursor)
    return {"items": [_hours_out(hours) for hours in page.items], "next_cursor": page.next_cursor}


@hours_router.post("", response={201: HoursOut}, operation_id="tickets_hours_create")
def hours_create(request: AuthedRequest, payload: HoursIn) -> HttpStatus:
    """``windows``: ``[[weekday (0 = Monday), "09:00", "17:00"], …]`` in ``time_zone``; ``holidays`` are whole
    local days without business hours."""
    actor = api_actor(request, scope="tickets:admin")
    hours = config.business_hours_create(actor=actor, name=payload.name, time_zone=payload.time_zone,
                                         windows=payload.windows, is_default=payload.is_default,
                                         holidays=[(item.date, item.name) for item in payload.holidays])
    return HttpStatus(201, _hours_out(selectors.business_hours_get(actor=actor, public_id=hours.public_id)))


@hours_router.get("/{hours_id}", response=HoursOut, operation_id="tickets_hours_get")
def hours_get(request: AuthedRequest, hours_id: str) -> dict[str, Any]:
    actor = api_actor(request, scope="tickets:read")
    return _hours_out(selectors.business_hours_get(actor=actor, public_id=hours_id))


@hours_router.patch("/{hours_id}", response=HoursOut, operation_id="tickets_hours_update")
def hours_update(request: AuthedRequest, hours_id: str, payload: HoursPatch) -> dict[str, Any]:
    actor = api_actor(request, scope="tickets:admin")
    hours = selectors.business_hours_get(actor=actor, public_id=hours_id)
    changes: dict[str, Any] = {key: value for key, value in payload.dict(exclude_unset=True).items()
                               if value is not None}
    if "holidays" in changes:
        changes["holidays"] = [(item.date, item.name) for item in payload.holidays or []]
    config.business_hours_update(actor=actor, hours=hours, **changes)
    return _hours_out(selectors.business_hours_get(actor=actor, public_id=hours_id))


@hours_router.delete("/{hours_id}", response={204: None}, operation_id="tickets_hours_delete")
def hours_delete(request: AuthedRequest, hours_id: str) -> HttpStatus:
    actor = api_actor(request, scope="tickets:admin")
    config.business_hours_delete(actor=actor, hours=selectors.business_hours_get(actor=actor, public_id=hours_id))
    return HttpStatus(204, None)


# --- groups ------------------------------------------------------------------------------------------------------


@groups_router.get("", response=list[GroupOut], operation_id="tickets_group_list")
def group_list(request: AuthedRequest) -> list[dict[str, Any]]:
    """The support groups (queues) tickets are routed to."""
    actor = api_actor(request, scope="tickets:read")
    services.check_can_view(actor=actor)
    return [{"id": group.public_id, "name": group.name, "tier": group.tier,
             "team": {"id": group.team.public_id, "name": group.team.name} if group.team else None,
             "business_hours": {"id": group.business_hours.public_id, "name": group.business_hours.name}
             if group.business_hours else None} for group in selectors.group_list()]
