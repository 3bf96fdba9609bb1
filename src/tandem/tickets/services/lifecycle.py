"""Changing a ticket: fields, status, assignment, escalation, hand-over to the CSM, satisfaction, deletion
and bulk changes."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts.models import Account
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_deleted, audit_record, diff, snapshot
from tandem.contacts.models import Contact
from tandem.core.exceptions import Conflict, DomainError, PermissionDenied, ValidationFailed
from tandem.identity.models import User
from tandem.notifications.services import notify
from tandem.notifications.text import translatable
from tandem.tickets import selectors
from tandem.tickets.choices import DONE_STATUSES, EventKind, Priority, Status, Tier
from tandem.tickets.models import Ticket, TicketAttachment, TicketGroup
from tandem.tickets.services.common import (
    _UNSET,
    AUDITED_FIELDS,
    MAX_BULK,
    MAX_REASON,
    _authorise_change,
    _clean_tags,
    _event,
    _fail,
    _group_people,
    _locked,
    _notify_assigned,
    _set_tags,
    _timeline,
    _validate,
    ticket_url,
)
from tandem.tickets.services.sla import _move_status, _refresh_sla


def ticket_update(*, actor: Any, ticket: Ticket, subject: str = _UNSET, description: str = _UNSET,
                  category: str = _UNSET, priority: str = _UNSET, channel: str = _UNSET,
                  account: Account | None = _UNSET, requester: Contact | None = _UNSET,
                  requester_email: str = _UNSET, tags: Iterable[str] = _UNSET,
                  now: datetime.datetime | None = None) -> Ticket:
    """Change the given fields (others stay); a new priority or account may change the SLA policy."""
    _authorise_change(actor, ticket)
    now = now or timezone.now()
    values = {"subject": subject, "description": description, "category": category, "priority": priority,
              "channel": channel, "account": account, "requester": requester, "requester_email": requester_email}
    with transaction.atomic():
        ticket = _locked(ticket)
        before = snapshot(ticket, AUDITED_FIELDS)
        old_priority = ticket.priority
        for name, value in values.items():
            if value is not _UNSET:
                setattr(ticket, name, value if value is not None or name in ("account", "requester") else "")
        _validate(actor, ticket)
        tag_names = None if tags is _UNSET else _clean_tags(tags)
        changes = diff(before, snapshot(ticket, AUDITED_FIELDS))
        if changes:
            ticket.save()
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=ticket, changes=changes)
        if tag_names is not None:
            _set_tags(ticket, tag_names)
        if ticket.priority != old_priority:
            _event(ticket, EventKind.PRIORITY_CHANGED, actor, now, **{"from": old_priority, "to": ticket.priority})
        if "priority" in changes or "account" in changes:
            _refresh_sla(ticket, now)
    return ticket


def ticket_set_status(*, actor: Any, ticket: Ticket, status: str, now: datetime.datetime | None = None) -> Ticket:
    """Move the ticket to ``status``. Pending customer pauses the SLA clock; solved and closed stop it (and put
    the solution on the account timeline); reopening resumes it with the time already used."""
    _authorise_change(actor, ticket)
    if status not in Status.values:
        raise _fail("status", _("Value %(value)r is not a valid choice.") % {"value": status})
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.status == status:
            return ticket
        _apply_status(actor, ticket, status, now)
    return ticket


def _apply_status(actor: Any, ticket: Ticket, status: str, now: datetime.datetime) -> None:
    before = snapshot(ticket, AUDITED_FIELDS)
    previous = ticket.status
    _move_status(ticket, status, now)
    ticket.save(update_fields=["status", "solved_at", "closed_at", "resolution_minutes", "resolution_met",
                               "updated_at"])
    _event(ticket, EventKind.STATUS_CHANGED, actor, now, **{"from": previous, "to": status})
    audit_record(actor=actor, action=AuditAction.CHANGE, obj=ticket, changes=diff(before, snapshot(
        ticket, AUDITED_FIELDS)))
    _refresh_sla(ticket, now)
    if status == Status.SOLVED or (status == Status.CLOSED and previous != Status.SOLVED):
        _timeline(ticket, actor, "ticket_solved",
                  _("Ticket %(reference)s solved: %(subject)s") % {"reference": ticket.reference,
                                                                   "subject": ticket.subject},
                  resolution_minutes=ticket.resolution_minutes, resolution_met=ticket.resolution_met)


def ticket_assign(*, actor: Any, ticket: Ticket, assignee: User | None, group: TicketGroup | None = _UNSET,
                  now: datetime.datetime | None = None) -> Ticket:
    """Give the ticket to ``assignee`` (None: unassigned) and optionally another group; the new assignee is
    notified."""
    _authorise_change(actor, ticket)
    if assignee is not None and not assignee.is_active:
        raise _fail("assignee", _("Assign the ticket to an active colleague."))
    if assignee is not None and not can(assignee, Action.VIEW, ticket):
        raise _fail("assignee", _("%(name)s cannot see this ticket.") % {"name": assignee})
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _locked(ticket)
        _apply_assignment(actor, ticket, assignee, group, now)
    return ticket


def _apply_assignment(actor: Any, ticket: Ticket, assignee: User | None, group: TicketGroup | None,
                      now: datetime.datetime, summary: str = "") -> None:
    before = snapshot(ticket, AUDITED_FIELDS)
    ticket.assignee = assignee
    if group is not _UNSET:
        ticket.group = group
    changes = diff(before, snapshot(ticket, AUDITED_FIELDS))
    if not changes:
        return
    ticket.save(update_fields=["assignee", "group", "updated_at"])
    _event(ticket, EventKind.ASSIGNED, actor, now, assignee=str(assignee) if assignee else "",
           group=ticket.group.name if ticket.group else "")
    audit_record(actor=actor, action=AuditAction.CHANGE, obj=ticket, changes=changes, summary=summary)
    if "group" in changes:
        _refresh_sla(ticket, now)
    if assignee is not None and assignee.pk != getattr(actor, "pk", None):
        _notify_assigned(actor, ticket, assignee)


def ticket_escalate(*, actor: Any, ticket: Ticket, reason: str, group: TicketGroup | None = None,
                    assignee: User | None = None, now: datetime.datetime | None = None) -> Ticket:
    """Tier 1 → tier 2, with a required reason (on the ticket's history, the audit log and the account
    timeline). The ticket goes to ``group`` (default: the first tier-2 group) and ``assignee`` (default:
    nobody, so tier 2 picks it up from their queue); the group's team is notified."""
    _authorise_change(actor, ticket)
    reason = (reason or "").strip()
    if not reason:
        raise _fail("reason", _("Say why the ticket needs tier 2."))
    if len(reason) > MAX_REASON:
        raise _fail("reason", _("At most %(limit)d characters (this has %(length)d).")
                    % {"limit": MAX_REASON, "length": len(reason)})
    if assignee is not None and (not assignee.is_active or not can(assignee, Action.VIEW, ticket)):
        raise _fail("assignee", _("%(name)s cannot work on this ticket.") % {"name": assignee})
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.tier != Tier.ONE:
            raise Conflict(_("Ticket %(reference)s is already in tier 2.") % {"reference": ticket.reference},
                           errors={"tier": [_("Already in tier 2.")]})
        before = snapshot(ticket, AUDITED_FIELDS)
        ticket.tier = Tier.TWO
        ticket.group = group or selectors.default_group_for_tier(tier=Tier.TWO)
        ticket.assignee = assignee
        ticket.escalated_at = now
        if ticket.status == Status.NEW:
            _move_status(ticket, Status.OPEN, now)
        ticket.save()
        _event(ticket, EventKind.ESCALATED, actor, now, reason=reason, to_tier=2,
               group=ticket.group.name if ticket.group else "", assignee=str(assignee) if assignee else "")
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=ticket, changes=diff(
            before, snapshot(ticket, AUDITED_FIELDS)), summary=f"Escalated to tier 2: {reason}"[:500])
        _refresh_sla(ticket, now)
        _timeline(ticket, actor, "ticket_escalated",
                  _("Ticket %(reference)s escalated to tier 2: %(subject)s") % {"reference": ticket.reference,
                                                                                "subject": ticket.subject},
                  reason=reason)
        recipients = [assignee] if assignee is not None else _group_people(ticket.group)
        recipients = [user for user in recipients if user.pk != getattr(actor, "pk", None)]
        if recipients:
            notify(recipients=recipients, kind="ticket_escalated", actor=actor, source=ticket,
                   url=ticket_url(ticket), event_key=f"ticket:{ticket.pk}:escalated",
                   title=translatable(gettext_lazy("Ticket %(reference)s escalated to tier 2: %(subject)s"),
                                      reference=ticket.reference, subject=ticket.subject),
                   body=reason[:500])
    return ticket


def ticket_hand_to_csm(*, actor: Any, ticket: Ticket, now: datetime.datetime | None = None) -> Ticket:
    """One click: the account's CSM becomes the assignee (product-setup advice belongs to the CSM)."""
    _authorise_change(actor, ticket)
    csm = selectors.account_seat_holder(account=ticket.account, role_code="csm")
    if csm is None:
        raise _fail("assignee", _("This ticket's account has no CSM."))
    if not can(csm, Action.VIEW, ticket):
        raise _fail("assignee", _("%(name)s cannot see this ticket.") % {"name": csm})
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.assignee_id == csm.pk:
            return ticket
        _event(ticket, EventKind.HANDED_TO_CSM, actor, now, csm=str(csm))
        _apply_assignment(actor, ticket, csm, _UNSET, now, summary="Handed to the account's CSM")
    return ticket


# --- satisfaction and deletion ---------------------------------------------------------------------------------


def ticket_rate(*, actor: Any, ticket: Ticket, rating: int, comment: str = "",
                now: datetime.datetime | None = None) -> Ticket:
    """Record the customer's satisfaction (1–5, with a comment) on a solved or closed ticket."""
    _authorise_change(actor, ticket)
    errors: dict[str, list[str]] = {}
    ticket.refresh_from_db(fields=["status"])
    if ticket.status not in DONE_STATUSES:
        errors["status"] = [_("Satisfaction is asked once the ticket is solved.")]
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        errors["rating"] = [_("Rate from 1 to 5.")]
    comment = (comment or "").strip()
    if len(comment) > MAX_REASON:
        errors["comment"] = [_("At most %(limit)d characters (this has %(length)d).")
                             % {"limit": MAX_REASON, "length": len(comment)}]
    if errors:
        raise ValidationFailed(_("The rating is invalid."), errors=errors)
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _locked(ticket)
        before = snapshot(ticket, AUDITED_FIELDS)
        ticket.satisfaction_rating, ticket.satisfaction_comment, ticket.satisfaction_at = rating, comment, now
        ticket.save(update_fields=["satisfaction_rating", "satisfaction_comment", "satisfaction_at", "updated_at"])
        _event(ticket, EventKind.SATISFACTION, actor, now, rating=rating)
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=ticket,
                     changes=diff(before, snapshot(ticket, AUDITED_FIELDS)))
    return ticket


def ticket_delete(*, actor: Any, ticket: Ticket) -> None:
    if not can(actor, Action.DELETE, ticket):
        raise PermissionDenied(_("You may not delete this ticket."))
    with transaction.atomic():
        audit_deleted(actor=actor, obj=ticket, fields=AUDITED_FIELDS, summary=f"Ticket {ticket.reference}")
        for attachment in TicketAttachment.objects.filter(ticket=ticket):
            transaction.on_commit(functools.partial(attachment.blob.storage.delete, str(attachment.blob.name)))
        ticket.delete()


# --- bulk -----------------------------------------------------------------------------------------------------


class BulkRefused(DomainError):
    """A bulk action refused as a whole; ``errors`` maps each offending ticket's id to the reason."""

    status = 403
    title = "Permission denied"


def ticket_bulk_update(*, actor: Any, public_ids: Sequence[str], assignee: User | None = _UNSET,
                       status: str = _UNSET, priority: str = _UNSET,
                       now: datetime.datetime | None = None) -> list[Ticket]:
    """Assign, change the status or the priority of every ticket, or of none: each one is checked first."""
    wanted = list(dict.fromkeys(public_id.strip() for public_id in public_ids if public_id.strip()))
    if not wanted:
        raise _fail("tickets", _("Choose at least one ticket."))
    if len(wanted) > MAX_BULK:
        raise _fail("tickets", _("At most %(limit)d tickets at once.") % {"limit": MAX_BULK})
    if assignee is _UNSET and status is _UNSET and priority is _UNSET:
        raise _fail("action", _("Choose what to change."))
    if status is not _UNSET and status not in Status.values:
        raise _fail("status", _("Value %(value)r is not a valid choice.") % {"value": status})
    if priority is not _UNSET and priority not in Priority.values:
        raise _fail("priority", _("Value %(value)r is not a valid choice.") % {"value": priority})
    if assignee is not _UNSET and assignee is not None and not assignee.is_active:
        raise _fail("assignee", _("Assign the tickets to an active colleague."))
    found = selectors.tickets_by_public_ids(actor=actor, public_ids=wanted)
    errors: dict[str, list[str]] = {}
    forbidden = False
    for public_id in wanted:
        ticket = found.get(public_id)
        if ticket is None:
            errors[public_id] = [_("No such ticket.")]
        elif not can(actor, Action.CHANGE, ticket):
            errors[public_id] = [_("You may not change ticket %(reference)s.") % {"reference": ticket.reference}]
            forbidden = True
    if errors:
        message = _("Nothing was changed: %(count)d of the %(total)d tickets cannot be changed by you.") % {
            "count": len(errors), "total": len(wanted)}
        raise (BulkRefused if forbidden else ValidationFailed)(message, errors=errors)
    now = now or timezone.now()
    changed = []
    with transaction.atomic():
        for public_id in wanted:
            ticket = _locked(found[public_id])
            if assignee is not _UNSET:
                _apply_assignment(actor, ticket, assignee, _UNSET, now, summary="Bulk assignment")
            if priority is not _UNSET and priority != ticket.priority:
                before = snapshot(ticket, AUDITED_FIELDS)
                old = ticket.priority
                ticket.priority = priority
                ticket.save(update_fields=["priority", "updated_at"])
                _event(ticket, EventKind.PRIORITY_CHANGED, actor, now, **{"from": old, "to": priority})
                audit_record(actor=actor, action=AuditAction.CHANGE, obj=ticket, summary="Bulk priority",
                             changes=diff(before, snapshot(ticket, AUDITED_FIELDS)))
                _refresh_sla(ticket, now)
            if status is not _UNSET and status != ticket.status:
                _apply_status(actor, ticket, status, now)
            changed.append(ticket)
    return changed
