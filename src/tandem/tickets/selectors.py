"""Reads for tickets, scoped by the access module before anything is fetched: lists and queues, one ticket with
its thread and SLA timers, the configuration (rules, policies, hours, groups), the ticket load per account and
the reports."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from tandem.access.choices import Action
from tandem.access.decide import restrict
from tandem.accounts.models import Account, AccountTeamMember
from tandem.contacts.models import Contact
from tandem.core.exceptions import NotFound, ValidationFailed
from tandem.identity.models import User
from tandem.tickets import logic
from tandem.tickets.choices import ACTIVE_STATUSES, PAUSED_STATUSES, SEVERITY_WEIGHT, Status
from tandem.tickets.models import (
    NO_DEADLINE,
    NUMBER_OFFSET,
    BusinessHours,
    RoutingRule,
    SlaAlert,
    SlaPolicy,
    SlaSettings,
    Ticket,
    TicketEvent,
    TicketGroup,
    TicketMessage,
    TicketStatusInterval,
)

QUEUES = ("tier1", "tier2", "mine", "unassigned", "breaching", "all")
QUEUE_ORDERING = ("queue_due_at", "id")
LIST_ORDERING = ("-created_at", "-id")


# --- lists and queues -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketFilters:
    """``assignee``: a user's email, ``me`` or ``none`` (unassigned); ``statuses`` empty for all; ``active``
    only the open statuses; ``breaching_within``: active tickets whose next SLA deadline is at most that many
    minutes away (or past)."""

    statuses: tuple[str, ...] = ()
    active: bool = False
    tier: int | None = None
    group_public_id: str = ""
    assignee: str = ""
    account_public_id: str = ""
    priority: str = ""
    channel: str = ""
    category: str = ""
    tag: str = ""
    search: str = ""
    breaching_within: int | None = None


def _base() -> QuerySet[Ticket]:
    return Ticket.objects.select_related("account", "assignee", "group", "requester")


def _listed() -> QuerySet[Ticket]:
    """Lists join only the two small tables (assignee, group) and fetch the account and the requester by id
    afterwards: on PostgreSQL the five-table join of ``_base`` took ~17 ms for a page of 50 (planning and the
    ~150 columns) where the two-join query and the look-ups by id together stay under a third of that."""
    return Ticket.objects.select_related("assignee", "group").prefetch_related("account", "requester")


def ticket_list(*, actor: Any, action: str = Action.VIEW, filters: TicketFilters | None = None,
                now: datetime.datetime | None = None) -> QuerySet[Ticket]:
    filters = filters or TicketFilters()
    tickets = restrict(_listed(), actor, action)
    if filters.active or filters.breaching_within is not None:
        tickets = tickets.filter(status__in=ACTIVE_STATUSES)
    if filters.statuses:
        tickets = tickets.filter(status__in=filters.statuses)
    if filters.tier is not None:
        tickets = tickets.filter(tier=filters.tier)
    if filters.group_public_id:
        # the group's id first, so the planner sees a constant and reads the (group, queue_due_at, id) index
        group_id = TicketGroup.objects.filter(public_id=filters.group_public_id).values_list("pk", flat=True).first()
        tickets = tickets.filter(group_id=group_id) if group_id is not None else tickets.none()
    assignee = filters.assignee.strip().lower()
    if assignee == "me":
        tickets = tickets.filter(assignee_id=getattr(actor, "pk", None))
    elif assignee == "none":
        tickets = tickets.filter(assignee__isnull=True)
    elif assignee:
        tickets = tickets.filter(assignee__email=assignee)
    if filters.account_public_id:
        tickets = tickets.filter(account__public_id=filters.account_public_id)
    if filters.priority:
        tickets = tickets.filter(priority=filters.priority)
    if filters.channel:
        tickets = tickets.filter(channel=filters.channel)
    if filters.category:
        tickets = tickets.filter(category=filters.category)
    if filters.tag:
        tickets = tickets.filter(tags__name=filters.tag.strip().lower())
    if filters.search:
        text = filters.search.strip()
        number = logic.reference_in_subject(f"[#{text.upper()}]") if text.upper().startswith("T-") else None
        condition = Q(subject__icontains=text) | Q(requester_email__iexact=text)
        if number is not None:
            condition |= Q(pk=number - NUMBER_OFFSET)
        tickets = tickets.filter(condition)
    if filters.breaching_within is not None:
        now = now or timezone.now()
        tickets = tickets.filter(queue_due_at__lte=now + datetime.timedelta(minutes=filters.breaching_within))
    return tickets


def queue_filters(*, queue: str, warning_minutes: int | None = None) -> TicketFilters:
    """The filters of a named agent queue (always the active tickets): tier1, tier2, mine, unassigned,
    breaching (next deadline within the warning time, or past), all; ``group:<public id>`` for a group's."""
    if queue.startswith("group:"):
        return TicketFilters(active=True, group_public_id=queue.removeprefix("group:"))
    if queue not in QUEUES:
        raise ValidationFailed("Unknown queue.", errors={"queue": [f"Use one of: {', '.join(QUEUES)}, group:<id>."]})
    if queue == "breaching":
        return TicketFilters(active=True, breaching_within=warning_minutes if warning_minutes is not None
                             else sla_settings().warning_minutes)
    return {
        "tier1": TicketFilters(active=True, tier=1),
        "tier2": TicketFilters(active=True, tier=2),
        "mine": TicketFilters(active=True, assignee="me"),
        "unassigned": TicketFilters(active=True, assignee="none"),
        "all": TicketFilters(active=True),
    }[queue]


SORTS: dict[str, tuple[str, ...]] = {"due": QUEUE_ORDERING, "-created": LIST_ORDERING,
                                     "created": ("created_at", "id")}


def ordering_for(sort: str) -> tuple[str, ...]:
    if sort not in SORTS:
        raise ValidationFailed("Unknown sort.", errors={"sort": [f"Use one of: {', '.join(SORTS)}."]})
    return SORTS[sort]


def ticket_get(*, actor: Any, public_id: str, action: str = Action.VIEW) -> Ticket:
    """A visible ticket by public id or by reference (T-10001)."""
    tickets = restrict(_base(), actor, action)
    text = (public_id or "").strip()
    number = logic.reference_in_subject(f"[#{text.upper()}]") if text.upper().startswith("T-") else None
    ticket = (tickets.filter(pk=number - NUMBER_OFFSET) if number is not None
              else tickets.filter(public_id=text)).first()
    if ticket is None:
        raise NotFound("No such ticket.")
    return ticket


def tickets_by_public_ids(*, actor: Any, public_ids: list[str]) -> dict[str, Ticket]:
    return {ticket.public_id: ticket for ticket in restrict(_base(), actor).filter(public_id__in=public_ids)}


def ticket_by_mail_token(*, mail_token: str) -> Ticket | None:
    """For the mail intake (acts as the system): the ticket a References header names."""
    return _base().filter(mail_token=mail_token).first()


def ticket_by_number(*, number: int) -> Ticket | None:
    """For the mail intake (acts as the system): the ticket a ``[#T-10001]`` subject tag names."""
    return _base().filter(pk=number - NUMBER_OFFSET).first() if number > NUMBER_OFFSET else None


def message_with_id(*, message_id: str) -> TicketMessage | None:
    return TicketMessage.objects.filter(message_id=message_id).first()


# What the Account 360 page shows of a ticket: its reference (from the key), subject, status and priority.
# Without the joins of ``_base`` (account, requester, assignee, group: ~90 columns) a query costs a third as much
# to build and read.
BRIEF_FIELDS = ("public_id", "subject", "status", "priority", "queue_due_at", "solved_at", "account_id")


def tickets_of_account_brief(*, actor: Any, account: Account) -> QuerySet[Ticket]:
    return restrict(Ticket.objects.only(*BRIEF_FIELDS), actor).filter(account=account)


# --- one ticket ------------------------------------------------------------------------------------------------


def ticket_messages(*, ticket: Ticket) -> QuerySet[TicketMessage]:
    """The ticket's replies and notes, oldest first (the caller has checked that the ticket is visible)."""
    return (TicketMessage.objects.filter(ticket=ticket).select_related("author", "author_contact")
            .prefetch_related("attachments").order_by("created_at", "id"))


def ticket_events(*, ticket: Ticket) -> QuerySet[TicketEvent]:
    return TicketEvent.objects.filter(ticket=ticket).select_related("actor").order_by("occurred_at", "id")


def intervals_of(*, ticket: Ticket) -> list[logic.Interval]:
    return [logic.Interval(status=row.status, start=row.started_at, end=row.ended_at)
            for row in TicketStatusInterval.objects.filter(ticket=ticket).order_by("started_at", "id")]


def calendar_of(*, ticket: Ticket) -> logic.Calendar:
    """The business hours the ticket's SLA runs in: its group's, else the default calendar, else round the
    clock in UTC."""
    hours = None
    if ticket.group_id is not None and ticket.group is not None and ticket.group.business_hours_id is not None:
        hours = BusinessHours.objects.filter(pk=ticket.group.business_hours_id).first()
    if hours is None:
        hours = BusinessHours.objects.filter(is_default=True).first()
    return calendar_from(hours)


def calendar_from(hours: BusinessHours | None) -> logic.Calendar:
    if hours is None:
        return logic.Calendar()
    return logic.Calendar(time_zone=hours.time_zone, windows=logic.parse_windows(hours.windows),
                          holidays=frozenset(hours.holidays.values_list("date", flat=True)))


@dataclass(frozen=True)
class TicketTimers:
    first_response: logic.SlaTimer | None
    resolution: logic.SlaTimer | None


def ticket_timers(*, ticket: Ticket, now: datetime.datetime | None = None) -> TicketTimers:
    """The ticket's SLA timers at ``now`` (None for a target without a policy)."""
    now = now or timezone.now()
    policy = ticket.sla_policy
    if policy is None:
        return TicketTimers(first_response=None, resolution=None)
    calendar = calendar_of(ticket=ticket)
    intervals = intervals_of(ticket=ticket)
    return TicketTimers(
        first_response=logic.sla_timer(calendar, intervals, target_minutes=policy.first_response_minutes, now=now,
                                       achieved_at=ticket.first_responded_at, paused_statuses=PAUSED_STATUSES),
        resolution=logic.sla_timer(calendar, intervals, target_minutes=policy.resolution_minutes, now=now,
                                   achieved_at=ticket.solved_at, paused_statuses=PAUSED_STATUSES))


def policy_for(*, priority: str, account_tier: str) -> SlaPolicy | None:
    """The SLA policy for a priority on an account of ``account_tier``: the tier's own, else the one for any
    tier."""
    policies = {policy.account_tier: policy for policy in SlaPolicy.objects.filter(
        priority=priority, account_tier__in=[account_tier, ""])}
    return policies.get(account_tier) or policies.get("")


def account_seat_holder(*, account: Account | None, role_code: str) -> User | None:
    """The active person holding ``role_code`` on the account team (the CSM, the AM), if any."""
    if account is None:
        return None
    seat = (AccountTeamMember.objects.select_related("user")
            .filter(account=account, role__code=role_code, user__is_active=True).order_by("id").first())
    return seat.user if seat else None


def contact_by_email(*, email: str) -> Contact | None:
    """The contact a requester's address belongs to (primary address, case-insensitive; the oldest wins). Intake
    matches across all contacts: the ticket is then visible by its account's rules, not the submitter's."""
    address = (email or "").strip()
    if not address:
        return None
    # LOWER(email) = …: served by the contact_email_lower index (iexact's UPPER() would scan every contact)
    return (Contact.objects.select_related("account").alias(email_lower=Lower("email"))
            .filter(email_lower=address.lower()).order_by("id").first())


def assignable_user(*, email: str) -> User | None:
    return User.objects.filter(email=email.strip().lower(), is_active=True).first()


def agents() -> QuerySet[User]:
    """Active people with a support role (candidates for assignment in the UI)."""
    return (User.objects.filter(is_active=True, roles__code__in=("support_tier1", "support_tier2"))
            .distinct().order_by("full_name", "id"))


# --- configuration ---------------------------------------------------------------------------------------------


def _config_readable(actor: Any) -> None:
    from tandem.access.decide import can

    if not can(actor, Action.VIEW, resource="ticket_config"):
        from tandem.core.exceptions import PermissionDenied

        raise PermissionDenied("You may not see the ticket configuration.")


def routing_rule_list(*, actor: Any) -> QuerySet[RoutingRule]:
    _config_readable(actor)
    return RoutingRule.objects.select_related("group", "assignee").order_by("position", "id")


def active_routing_rules() -> QuerySet[RoutingRule]:
    return RoutingRule.objects.select_related("group", "assignee").filter(is_active=True).order_by("position", "id")


def routing_rule_get(*, actor: Any, public_id: str) -> RoutingRule:
    rule = routing_rule_list(actor=actor).filter(public_id=public_id).first()
    if rule is None:
        raise NotFound("No such routing rule.")
    return rule


def sla_policy_list(*, actor: Any) -> QuerySet[SlaPolicy]:
    _config_readable(actor)
    return SlaPolicy.objects.order_by("priority", "account_tier", "id")


def sla_policy_get(*, actor: Any, public_id: str) -> SlaPolicy:
    policy = sla_policy_list(actor=actor).filter(public_id=public_id).first()
    if policy is None:
        raise NotFound("No such SLA policy.")
    return policy


def business_hours_list(*, actor: Any) -> QuerySet[BusinessHours]:
    _config_readable(actor)
    return BusinessHours.objects.prefetch_related("holidays").order_by("name", "id")


def business_hours_get(*, actor: Any, public_id: str) -> BusinessHours:
    hours = business_hours_list(actor=actor).filter(public_id=public_id).first()
    if hours is None:
        raise NotFound("No such business hours.")
    return hours


def group_list() -> QuerySet[TicketGroup]:
    """Support groups (names only; everyone who works tickets picks from them)."""
    return TicketGroup.objects.select_related("team", "business_hours").order_by("name", "id")


def group_get(*, public_id: str) -> TicketGroup | None:
    return group_list().filter(public_id=public_id).first()


def default_group_for_tier(*, tier: int) -> TicketGroup | None:
    return group_list().filter(tier=tier).first()


def sla_settings() -> SlaSettings:
    return SlaSettings.objects.order_by("id").first() or SlaSettings(warning_minutes=30)


# --- SLA alerts (the periodic job, as the system) -----------------------------------------------------------


def tickets_near_deadline(*, now: datetime.datetime, warning_minutes: int, limit: int = 1000) -> QuerySet[Ticket]:
    """Active tickets whose next deadline is within the warning time or past, most urgent first."""
    return (_base().filter(status__in=ACTIVE_STATUSES, queue_due_at__lte=now + datetime.timedelta(
        minutes=warning_minutes)).exclude(queue_due_at=NO_DEADLINE).order_by(*QUEUE_ORDERING)[:limit])


def alerts_sent(*, ticket_ids: list[int]) -> set[tuple[int, str, str]]:
    return set(SlaAlert.objects.filter(ticket_id__in=ticket_ids).values_list("ticket_id", "metric", "kind"))


# --- ticket load (health score) --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketLoad:
    """Tickets opened on one account in one period: how many, and weighted by severity (low 1, normal 2,
    high 3, urgent 5)."""

    account_id: int
    period_start: datetime.date
    count: int
    weighted: int


def _period_start(day: datetime.date, period: str) -> datetime.date:
    if period == "day":
        return day
    if period == "week":
        return day - datetime.timedelta(days=day.weekday())
    return day.replace(day=1)


def ticket_load(*, account_ids: list[int], start: datetime.datetime, end: datetime.datetime,
                period: str = "month") -> list[TicketLoad]:
    """For the health score (acts as the system; callers restrict ``account_ids`` to what their reader may
    see): tickets opened in ``[start, end)`` per account per period (day, week or month, by UTC date)."""
    if period not in ("day", "week", "month"):
        raise ValidationFailed("Unknown period.", errors={"period": ["Use day, week or month."]})
    rows = (Ticket.objects.filter(account_id__in=account_ids, created_at__gte=start, created_at__lt=end)
            .values_list("account_id", "created_at", "priority"))
    buckets: dict[tuple[int, datetime.date], list[int]] = defaultdict(lambda: [0, 0])
    for account_id, created_at, priority in rows.iterator(chunk_size=5000):
        key = (account_id, _period_start(created_at.astimezone(datetime.UTC).date(), period))
        buckets[key][0] += 1
        buckets[key][1] += SEVERITY_WEIGHT.get(priority, 1)
    return [TicketLoad(account_id=account_id, period_start=period_start, count=count, weighted=weighted)
            for (account_id, period_start), (count, weighted) in sorted(buckets.items())]


# --- reports --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Distribution:
    count: int
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class TicketReport:
    """Tickets opened in ``[start, end)`` that the reader may see: first-response and resolution times in
    business minutes (median and p90 of the tickets that reached them), SLA attainment (share of measured
    targets met), volume by channel, category and tier, and the backlog (active tickets now) by status and
    tier."""

    start: datetime.datetime
    end: datetime.datetime
    total: int
    first_response: Distribution
    resolution: Distribution
    first_response_attainment: float | None
    resolution_attainment: float | None
    by_channel: dict[str, int]
    by_category: dict[str, int]
    by_tier: dict[int, int]
    backlog_by_status: dict[str, int]
    backlog_by_tier: dict[int, int]
    backlog: int = field(default=0)


def _distribution(values: list[float]) -> Distribution:
    return Distribution(count=len(values), median=logic.percentile(values, 0.5), p90=logic.percentile(values, 0.9))


def ticket_report(*, actor: Any, start: datetime.datetime, end: datetime.datetime) -> TicketReport:
    if end <= start:
        raise ValidationFailed("The period is empty.", errors={"end": ["Must be after start."]})
    visible = restrict(Ticket.objects.all(), actor)
    rows = list(visible.filter(created_at__gte=start, created_at__lt=end).values_list(
        "channel", "category", "tier", "first_response_minutes", "first_response_met", "resolution_minutes",
        "resolution_met"))
    first_times = [float(row[3]) for row in rows if row[3] is not None]
    resolution_times = [float(row[5]) for row in rows if row[5] is not None]
    first_measured = [row[4] for row in rows if row[4] is not None]
    resolution_measured = [row[6] for row in rows if row[6] is not None]
    backlog_rows = list(visible.filter(status__in=ACTIVE_STATUSES).values_list("status", "tier"))
    return TicketReport(
        start=start, end=end, total=len(rows), first_response=_distribution(first_times),
        resolution=_distribution(resolution_times),
        first_response_attainment=logic.attainment(sum(first_measured), len(first_measured)),
        resolution_attainment=logic.attainment(sum(resolution_measured), len(resolution_measured)),
        by_channel=dict(Counter(row[0] for row in rows)), by_category=dict(Counter(row[1] for row in rows)),
        by_tier=dict(Counter(row[2] for row in rows)),
        backlog_by_status={status: count for status, count in Counter(row[0] for row in backlog_rows).items()},
        backlog_by_tier=dict(Counter(row[1] for row in backlog_rows)), backlog=len(backlog_rows))


def status_label(code: str) -> str:
    return str(Status(code).label)
