"""SLA bookkeeping: status intervals, the recomputed deadlines and measured times, and the warning/breach
alerts."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tandem.identity.models import User
from tandem.notifications.services import notify
from tandem.notifications.text import translatable
from tandem.tickets import selectors
from tandem.tickets.choices import ACTIVE_STATUSES, AlertKind, EventKind, SlaMetric, Status
from tandem.tickets.models import NO_DEADLINE, SlaAlert, Ticket, TicketStatusInterval
from tandem.tickets.services.common import _event, _group_people, ticket_url


def _move_status(ticket: Ticket, status: str, at: datetime.datetime) -> None:
    """Close the running status interval and open one for ``status``; keep the solved/closed stamps in step."""
    TicketStatusInterval.objects.filter(ticket=ticket, ended_at__isnull=True).update(ended_at=at)
    TicketStatusInterval.objects.create(ticket=ticket, status=status, started_at=at)
    ticket.status = status
    if status == Status.SOLVED:
        ticket.solved_at = ticket.solved_at or at
    elif status == Status.CLOSED:
        ticket.solved_at = ticket.solved_at or at
        ticket.closed_at = at
    else:
        ticket.solved_at = None
        ticket.closed_at = None
        ticket.resolution_minutes = None
        ticket.resolution_met = None


def _refresh_sla(ticket: Ticket, now: datetime.datetime) -> None:
    """Recompute the policy, the deadlines and the measured times from the intervals (saves the SLA fields)."""
    ticket.sla_policy = selectors.policy_for(priority=ticket.priority,
                                             account_tier=ticket.account.tier if ticket.account else "")
    timers = selectors.ticket_timers(ticket=ticket, now=now)
    first, resolution = timers.first_response, timers.resolution
    ticket.first_response_due_at = first.due_at if first else None
    if first is not None and first.achieved:
        ticket.first_response_minutes, ticket.first_response_met = first.elapsed_minutes, first.met
    elif ticket.first_responded_at is None:
        ticket.first_response_minutes, ticket.first_response_met = None, None
    ticket.resolution_due_at = resolution.due_at if resolution else None
    if resolution is not None and resolution.achieved:
        ticket.resolution_minutes, ticket.resolution_met = resolution.elapsed_minutes, resolution.met
    running = [due for due in (ticket.first_response_due_at, ticket.resolution_due_at) if due is not None]
    ticket.queue_due_at = min(running) if running and ticket.status in ACTIVE_STATUSES else NO_DEADLINE
    ticket.save(update_fields=["sla_policy", "first_response_due_at", "first_response_minutes",
                               "first_response_met", "resolution_due_at", "resolution_minutes", "resolution_met",
                               "queue_due_at", "updated_at"])


def _alert_recipients(ticket: Ticket) -> list[User]:
    if ticket.assignee is not None and ticket.assignee.is_active:
        return [ticket.assignee]
    return _group_people(ticket.group)


def sla_alerts_send(*, now: datetime.datetime | None = None) -> int:
    """Warn before a deadline (the configured minutes) and notify at a breach, each once per ticket and target:
    the ``SlaAlert`` row is the claim (a unique constraint, so a second run or a second worker skips it) and
    the notification's event key makes ``notify`` a no-op if it ran again. Returns how many alerts were sent."""
    from tandem.access.decide import SYSTEM

    now = now or timezone.now()
    warning = datetime.timedelta(minutes=selectors.sla_settings().warning_minutes)
    tickets = list(selectors.tickets_near_deadline(now=now, warning_minutes=int(warning.total_seconds() // 60)))
    already = selectors.alerts_sent(ticket_ids=[ticket.pk for ticket in tickets])
    sent = 0
    for ticket in tickets:
        for metric, due_at in ((SlaMetric.FIRST_RESPONSE, ticket.first_response_due_at),
                               (SlaMetric.RESOLUTION, ticket.resolution_due_at)):
            if due_at is None:
                continue
            kind = AlertKind.BREACH if now >= due_at else AlertKind.WARNING if now >= due_at - warning else None
            if kind is None or (ticket.pk, metric, kind) in already:
                continue
            try:
                with transaction.atomic():
                    SlaAlert.objects.create(ticket=ticket, metric=metric, kind=kind, due_at=due_at, sent_at=now)
                    _event(ticket, EventKind.SLA_BREACHED if kind == AlertKind.BREACH else EventKind.SLA_WARNING,
                           SYSTEM, now, metric=metric, due_at=due_at.isoformat())
                    values = {"reference": ticket.reference, "subject": ticket.subject,
                              "metric": SlaMetric(metric).label}
                    title = (translatable(gettext_lazy("SLA breached (%(metric)s): %(reference)s %(subject)s"),
                                          **values) if kind == AlertKind.BREACH else
                             translatable(gettext_lazy("SLA about to breach (%(metric)s): %(reference)s %(subject)s"),
                                          **values))
                    notify(recipients=_alert_recipients(ticket), kind="ticket_sla", actor=None, source=ticket,
                           url=ticket_url(ticket), event_key=f"ticket-sla:{ticket.pk}:{metric}:{kind}", title=title)
                    sent += 1
            except IntegrityError:
                continue  # another worker claimed it
    return sent
