"""Writes for tickets: authorise → validate → write (with the status interval and the ticket's event) → audit →
account timeline → notify, all in one transaction (notifications are outbox rows; delivery runs after commit).

The SLA fields are recomputed from the recorded status intervals after every change that can move them
(``_refresh_sla``), so the queues sort by a stored deadline."""

from __future__ import annotations

import datetime
import functools
import hashlib
import mimetypes
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts.models import Account
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_created, audit_deleted, audit_record, diff, snapshot
from tandem.collaboration import selectors as collaboration_selectors
from tandem.collaboration.logic import parse_mentions, plain_excerpt, render_comment
from tandem.contacts.models import Contact
from tandem.core.exceptions import Conflict, DomainError, PermissionDenied, ValidationFailed
from tandem.files.logic import content_matches, safe_file_name, suffix_of
from tandem.identity.models import User
from tandem.notifications.services import notify
from tandem.notifications.text import translatable
from tandem.tickets import logic, outbound, selectors
from tandem.tickets.choices import (
    ACTIVE_STATUSES,
    DONE_STATUSES,
    AlertKind,
    Category,
    Channel,
    Direction,
    EventKind,
    MessageKind,
    Priority,
    SlaMetric,
    Status,
    Tier,
)
from tandem.tickets.models import (
    NO_DEADLINE,
    SlaAlert,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketGroup,
    TicketMessage,
    TicketStatusInterval,
    TicketTag,
)
from tandem.timeline.choices import ActivityType
from tandem.timeline.services import record_system_activity

AUDITED_FIELDS = ("subject", "description", "requester", "requester_email", "account", "channel", "category",
                  "priority", "status", "tier", "assignee", "group", "satisfaction_rating", "satisfaction_comment")
MAX_BODY = 50_000
MAX_REASON = 2_000
MAX_TAGS = 20
MAX_BULK = 500
MAX_ATTACHMENTS = 20
MAX_MENTIONS = 50
_UNSET: Any = object()


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors={field: [message]})


def _user(actor: Any) -> User | None:
    actor = getattr(actor, "_wrapped", actor)
    return None if getattr(actor, "is_system", False) or getattr(actor, "pk", None) is None else actor


def ticket_url(ticket: Ticket) -> str:
    return reverse("tickets:ticket-detail", args=[ticket.public_id])


def check_can_create(*, actor: Any) -> None:
    """Refuse early (before an interface resolves the input) when the actor may not open tickets."""
    if not can(actor, Action.CREATE, resource="ticket"):
        raise PermissionDenied(_("You may not open tickets."))


def check_can_view(*, actor: Any) -> None:
    if not can(actor, Action.VIEW, resource="ticket"):
        raise PermissionDenied(_("You may not see tickets."))


def check_can_change(*, actor: Any, ticket: Ticket) -> None:
    if not can(actor, Action.CHANGE, ticket):
        raise PermissionDenied(_("You may not change this ticket."))


def _event(ticket: Ticket, kind: str, actor: Any, at: datetime.datetime, **payload: Any) -> TicketEvent:
    return TicketEvent.objects.create(ticket=ticket, kind=kind, actor=_user(actor), occurred_at=at, payload=payload)


def _timeline(ticket: Ticket, actor: Any, event: str, subject: str, **payload: Any) -> None:
    """The ticket's creation, escalation and solution on its account's timeline."""
    if ticket.account is None:
        return
    contacts = [ticket.requester] if ticket.requester is not None and ticket.requester.account_id == \
        ticket.account_id else []
    record_system_activity(account=ticket.account, type=ActivityType.TICKET_EVENT, actor=actor, source=ticket,
                           subject=subject, contacts=contacts,
                           payload={"event": event, "ticket": ticket.public_id, "reference": ticket.reference,
                                    "subject": ticket.subject, "priority": ticket.priority, **payload})


# --- SLA bookkeeping -------------------------------------------------------------------------------------------


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


# --- attachments -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CheckedUpload:
    upload: Any
    name: str
    suffix: str
    size: int
    sha256: str


def _check_uploads(uploads: Sequence[Any]) -> list[_CheckedUpload]:
    """Every upload checked like any file (files.logic: allowed type, size limit, content matching the
    extension) before anything is written; one error per refused file, naming it."""
    if len(uploads) > MAX_ATTACHMENTS:
        raise _fail("attachments", _("At most %(limit)d files at once.") % {"limit": MAX_ATTACHMENTS})
    checked, errors = [], []
    for upload in uploads:
        name = safe_file_name(getattr(upload, "name", "") or "file")
        suffix = suffix_of(name)
        size = getattr(upload, "size", 0) or 0
        if suffix not in settings.FILE_ALLOWED_SUFFIXES:
            errors.append(_("%(name)s: files of type %(suffix)s are not allowed.") % {"name": name,
                                                                                     "suffix": suffix or "—"})
            continue
        if size > settings.FILE_MAX_BYTES:
            errors.append(_("%(name)s is larger than %(limit)s MB.") % {"name": name,
                                                                         "limit": settings.FILE_MAX_BYTES // 2**20})
            continue
        if size == 0:
            errors.append(_("%(name)s is empty.") % {"name": name})
            continue
        upload.seek(0)
        if not content_matches(suffix, upload.read(16)):
            errors.append(_("%(name)s: the content does not match the extension.") % {"name": name})
            continue
        upload.seek(0)
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        checked.append(_CheckedUpload(upload=upload, name=name, suffix=suffix, size=size, sha256=digest.hexdigest()))
    if errors:
        raise ValidationFailed(_("Nothing was saved: %(reasons)s") % {"reasons": " ".join(errors)},
                               errors={"attachments": errors})
    return checked


def _store_attachments(actor: Any, ticket: Ticket, message: TicketMessage | None,
                       checked: list[_CheckedUpload]) -> list[TicketAttachment]:
    stored = []
    for item in checked:
        attachment = TicketAttachment(ticket=ticket, message=message, name=item.name, size=item.size,
                                      sha256=item.sha256, uploaded_by=_user(actor),
                                      content_type=mimetypes.guess_type(item.name)[0] or "application/octet-stream")
        attachment.blob.save(f"{attachment.public_id}{item.suffix}", File(item.upload), save=False)
        try:
            attachment.save()
        except Exception:
            attachment.blob.delete(save=False)
            raise
        stored.append(attachment)
    return stored


# --- validation -------------------------------------------------------------------------------------------------


def _clean_tags(tags: Iterable[str]) -> list[str]:
    names = []
    for tag in tags:
        name = "-".join(str(tag).strip().lower().split())[:50]
        if name and name not in names:
            names.append(name)
    if len(names) > MAX_TAGS:
        raise _fail("tags", _("At most %(limit)d tags.") % {"limit": MAX_TAGS})
    return names


def _set_tags(ticket: Ticket, names: list[str]) -> None:
    tags = []
    for name in names:
        tag, _created = TicketTag.objects.get_or_create(name=name)
        tags.append(tag)
    ticket.tags.set(tags)


def _validate(actor: Any, ticket: Ticket) -> None:
    errors: dict[str, list[str]] = {}
    ticket.subject = " ".join((ticket.subject or "").split())
    if not ticket.subject:
        errors["subject"] = [_("Give the ticket a subject.")]
    elif len(ticket.subject) > 300:
        errors["subject"] = [_("At most %(limit)d characters (this has %(length)d).")
                             % {"limit": 300, "length": len(ticket.subject)}]
    if len(ticket.description or "") > MAX_BODY:
        errors["description"] = [_("At most %(limit)d characters (this has %(length)d).")
                                 % {"limit": MAX_BODY, "length": len(ticket.description)}]
    for name, choices in (("channel", Channel), ("category", Category), ("priority", Priority),
                          ("status", Status)):
        if getattr(ticket, name) not in choices.values:
            errors[name] = [_("Value %(value)r is not a valid choice.") % {"value": getattr(ticket, name)}]
    if ticket.tier not in Tier.values:
        errors["tier"] = [_("Value %(value)r is not a valid choice.") % {"value": ticket.tier}]
    if ticket.requester_email:
        ticket.requester_email = ticket.requester_email.strip().lower()
        if "@" not in parseaddr(ticket.requester_email)[1]:
            errors["requester_email"] = [_("Enter a valid email address.")]
    if ticket.account is not None and not can(actor, Action.VIEW, ticket.account):
        errors["account"] = [_("Unknown account.")]
    if ticket.assignee is not None and not ticket.assignee.is_active:
        errors["assignee"] = [_("Assign the ticket to an active colleague.")]
    if errors:
        raise ValidationFailed(_("The ticket is invalid."), errors=errors)


# --- create -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    tier: int
    group: TicketGroup | None
    assignee: User | None
    rule_id: int | None


def route_for(*, channel: str, category: str, account: Account | None, subject: str, description: str) -> Route:
    """Where a new ticket goes: the first matching active routing rule's group, tier and assignee; otherwise
    tier 1 and the first tier-1 group."""
    rules = list(selectors.active_routing_rules())
    specs = [logic.RuleSpec(key=rule.pk, channels=frozenset(rule.channels), categories=frozenset(rule.categories),
                            account_tiers=frozenset(rule.account_tiers), keywords=tuple(rule.keywords))
             for rule in rules]
    facts = logic.TicketFacts(channel=channel, category=category, account_tier=account.tier if account else "",
                              subject=subject, description=description)
    match = logic.first_matching_rule(specs, facts)
    if match is not None:
        rule = next(rule for rule in rules if rule.pk == match.key)
        tier = rule.tier or (rule.group.tier if rule.group and rule.group.tier else Tier.ONE)
        group = rule.group or selectors.default_group_for_tier(tier=tier)
        assignee = rule.assignee if rule.assignee is not None and rule.assignee.is_active else None
        return Route(tier=tier, group=group, assignee=assignee, rule_id=rule.pk)
    return Route(tier=Tier.ONE, group=selectors.default_group_for_tier(tier=Tier.ONE), assignee=None, rule_id=None)


def ticket_create(*, actor: Any, subject: str, description: str = "", account: Account | None = None,
                  requester: Contact | None = None, requester_email: str = "", requester_name: str = "",
                  channel: str = Channel.PHONE, category: str = Category.QUESTION, priority: str = Priority.NORMAL,
                  tier: int | None = None, group: TicketGroup | None = None, assignee: User | None = None,
                  tags: Iterable[str] = (), uploads: Sequence[Any] = (), message_id: str = "",
                  now: datetime.datetime | None = None) -> Ticket:
    """Open a ticket. The requester is matched to a contact by email when no contact is given, and the account
    follows the contact when none is given. Without an explicit tier, group or assignee, the routing rules
    decide. A product-setup question on an account with a CSM notifies the CSM; a billing question notifies the
    AM. ``message_id`` (mail intake) stores the description as the first inbound message with that id."""
    if not can(actor, Action.CREATE, resource="ticket"):
        raise PermissionDenied(_("You may not open tickets."))
    now = now or timezone.now()
    if requester is None and requester_email:
        requester = selectors.contact_by_email(email=requester_email)
    if requester is not None:
        requester_email = requester_email or requester.email
        requester_name = requester_name or requester.full_name
        if account is None and requester.account_id is not None and requester.account is not None and can(
                actor, Action.VIEW, requester.account):
            account = requester.account
    explicit = tier is not None or group is not None or assignee is not None
    route = None if explicit else route_for(channel=channel, category=category, account=account, subject=subject,
                                            description=description)
    ticket = Ticket(subject=subject, description=(description or "").strip(), account=account, requester=requester,
                    requester_email=requester_email or "", requester_name=(requester_name or "").strip()[:200],
                    channel=channel, category=category, priority=priority, status=Status.NEW,
                    tier=route.tier if route else (tier or (group.tier if group and group.tier else Tier.ONE)),
                    group=route.group if route else group, assignee=route.assignee if route else assignee,
                    created_by=_user(actor), routing_rule_id=route.rule_id if route else None)
    _validate(actor, ticket)
    tag_names = _clean_tags(tags)
    checked = _check_uploads(uploads)
    with transaction.atomic():
        ticket.save()
        ticket.created_at = now
        Ticket.objects.filter(pk=ticket.pk).update(created_at=now)
        _set_tags(ticket, tag_names)
        TicketStatusInterval.objects.create(ticket=ticket, status=Status.NEW, started_at=now)
        if message_id:
            message = TicketMessage.objects.create(
                ticket=ticket, kind=MessageKind.REPLY, direction=Direction.INBOUND, channel=channel,
                author_contact=requester, author_email=ticket.requester_email, body=ticket.description,
                body_html=render_comment(ticket.description, {}), message_id=message_id[:255])
            _store_attachments(actor, ticket, message, checked)
        else:
            _store_attachments(actor, ticket, None, checked)
        _event(ticket, EventKind.CREATED, actor, now, channel=channel, category=category, priority=priority)
        if route is not None and route.rule_id is not None:
            _event(ticket, EventKind.ROUTED, actor, now, rule=route.rule_id, tier=ticket.tier,
                   group=ticket.group.name if ticket.group else "",
                   assignee=str(ticket.assignee) if ticket.assignee else "")
        _refresh_sla(ticket, now)
        audit_created(actor=actor, obj=ticket, fields=AUDITED_FIELDS, summary=f"Ticket {ticket.reference}")
        _timeline(ticket, actor, "ticket_created",
                  _("Ticket %(reference)s opened: %(subject)s") % {"reference": ticket.reference,
                                                                   "subject": ticket.subject},
                  channel=channel, category=category)
        _notify_created(actor, ticket)
    return ticket


def _notify_created(actor: Any, ticket: Ticket) -> None:
    values = {"reference": ticket.reference, "subject": ticket.subject,
              "account": ticket.account.name if ticket.account else ""}
    if ticket.assignee is not None and ticket.assignee.pk != getattr(actor, "pk", None):
        _notify_assigned(actor, ticket, ticket.assignee)
    if ticket.category == Category.PRODUCT_SETUP:
        csm = selectors.account_seat_holder(account=ticket.account, role_code="csm")
        if csm is not None and csm.pk != getattr(actor, "pk", None):
            notify(recipients=[csm], kind="ticket_account_question", actor=actor, source=ticket,
                   event_key=f"ticket:{ticket.pk}:setup-csm", url=ticket_url(ticket),
                   title=translatable(gettext_lazy("Setup question from %(account)s: %(reference)s %(subject)s"),
                                      **values),
                   body=translatable(gettext_lazy("You can take it over from the ticket page.")))
    if ticket.category == Category.BILLING:
        am = selectors.account_seat_holder(account=ticket.account, role_code="am")
        if am is not None and am.pk != getattr(actor, "pk", None):
            notify(recipients=[am], kind="ticket_account_question", actor=actor, source=ticket,
                   event_key=f"ticket:{ticket.pk}:billing-am", url=ticket_url(ticket),
                   title=translatable(gettext_lazy("Billing question from %(account)s: %(reference)s %(subject)s"),
                                      **values))


def _notify_assigned(actor: Any, ticket: Ticket, assignee: User) -> None:
    notify(recipients=[assignee], kind="ticket_assigned", actor=actor, source=ticket, url=ticket_url(ticket),
           event_key=f"ticket:{ticket.pk}:assigned:{assignee.pk}:{timezone.now().timestamp():.0f}",
           title=translatable(gettext_lazy("Ticket %(reference)s assigned to you: %(subject)s"),
                              reference=ticket.reference, subject=ticket.subject))


# --- change -------------------------------------------------------------------------------------------------


def _locked(ticket: Ticket) -> Ticket:
    return (Ticket.objects.select_for_update(of=("self",))
            .select_related("account", "assignee", "group", "requester", "sla_policy").get(pk=ticket.pk))


def _authorise_change(actor: Any, ticket: Ticket) -> None:
    if not can(actor, Action.CHANGE, ticket):
        raise PermissionDenied(_("You may not change this ticket."))


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


def _group_people(group: TicketGroup | None) -> list[User]:
    if group is None or group.team is None:
        return []
    people = list(group.team.members.filter(is_active=True))
    if group.team.manager is not None and group.team.manager.is_active and group.team.manager not in people:
        people.append(group.team.manager)
    return people


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


# --- replies and notes -----------------------------------------------------------------------------------------


def _clean_body(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise _fail("body", _("Write something first."))
    if len(text) > MAX_BODY:
        raise _fail("body", _("At most %(limit)d characters (this has %(length)d).")
                    % {"limit": MAX_BODY, "length": len(text)})
    return text


def _mail_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "localhost"


def ticket_reply(*, actor: Any, ticket: Ticket, body: str, uploads: Sequence[Any] = (), status: str | None = None,
                 now: datetime.datetime | None = None) -> TicketMessage:
    """A public reply to the customer. The first one is the ticket's first response (SLA); a new ticket becomes
    open, or takes ``status`` (e.g. pending customer, solved) when given. The message gets a Message-ID naming the
    ticket's mail token, for the mail channel to send and to thread the customer's answer."""
    _authorise_change(actor, ticket)
    text = _clean_body(body)
    if status is not None and status not in Status.values:
        raise _fail("status", _("Value %(value)r is not a valid choice.") % {"value": status})
    checked = _check_uploads(uploads)
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _locked(ticket)
        message = TicketMessage(ticket=ticket, kind=MessageKind.REPLY, direction=Direction.OUTBOUND,
                                channel=ticket.channel, author=_user(actor), body=text,
                                body_html=render_comment(text, {}))
        message.message_id = logic.message_id_for(mail_token=ticket.mail_token, message_public_id=message.public_id,
                                                  domain=_mail_domain())
        message.created_at = now
        message.save()
        TicketMessage.objects.filter(pk=message.pk).update(created_at=now)
        message.created_at = now
        _store_attachments(actor, ticket, message, checked)
        outbound.queue_reply(ticket=ticket, message=message)  # mailed to the customer after the commit
        _event(ticket, EventKind.REPLIED, actor, now, message=message.public_id)
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=ticket, summary="Public reply",
                     changes={"reply": [None, text[:500]]})
        if ticket.first_responded_at is None:
            ticket.first_responded_at = now
            ticket.save(update_fields=["first_responded_at", "updated_at"])
        target = status or (Status.OPEN if ticket.status == Status.NEW else None)
        if target is not None and target != ticket.status:
            _apply_status(actor, ticket, target, now)
        else:
            _refresh_sla(ticket, now)
    return message


def ticket_receive_reply(*, ticket: Ticket, body: str, author_contact: Contact | None = None,
                         author_email: str = "", channel: str = Channel.EMAIL, message_id: str = "",
                         in_reply_to: str = "", references: str = "", uploads: Sequence[Any] = (),
                         now: datetime.datetime | None = None) -> TicketMessage | None:
    """The customer answered (mail intake; acts as the system). A ticket waiting for the customer, or solved,
    opens again. The same ``message_id`` is never taken twice (returns None then)."""
    from tandem.access.decide import SYSTEM

    text = _clean_body(body)
    if message_id and selectors.message_with_id(message_id=message_id) is not None:
        return None
    checked = _check_uploads(uploads)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            ticket = _locked(ticket)
            message = TicketMessage.objects.create(
                ticket=ticket, kind=MessageKind.REPLY, direction=Direction.INBOUND, channel=channel,
                author_contact=author_contact, author_email=(author_email or "").strip().lower(), body=text,
                body_html=render_comment(text, {}), message_id=message_id[:255] or None,
                in_reply_to=in_reply_to[:255], references=references)
            _store_attachments(SYSTEM, ticket, message, checked)
            _event(ticket, EventKind.REPLIED, SYSTEM, now, message=message.public_id, inbound=True)
            if ticket.status in (Status.PENDING_CUSTOMER, Status.SOLVED):
                _apply_status(SYSTEM, ticket, Status.OPEN, now)
    except IntegrityError:
        if message_id and selectors.message_with_id(message_id=message_id) is not None:
            return None
        raise
    return message


def _mentioned_users(ticket: Ticket, body: str) -> list[User]:
    tokens = parse_mentions(body)
    if len(tokens) > MAX_MENTIONS:
        raise _fail("body", _("Mention at most %(limit)d people in one note.") % {"limit": MAX_MENTIONS})
    if not tokens:
        return []
    found = collaboration_selectors.users_by_public_id(public_ids=[token.public_id for token in tokens])
    users, errors = [], []
    for token in tokens:
        user = found.get(token.public_id)
        if user is None:
            errors.append(_("Nobody is known as %(name)s; pick the person from the list.") % {"name": token.name})
        elif not user.is_active:
            errors.append(_("%(name)s is deactivated; they were not mentioned.") % {"name": user})
        elif not can(user, Action.VIEW, ticket):
            errors.append(_("%(name)s cannot see this ticket; they were not mentioned.") % {"name": user})
        else:
            users.append(user)
    if errors:
        raise ValidationFailed(_("The note was not saved: %(reasons)s") % {"reasons": " ".join(errors)},
                               errors={"body": errors})
    return users


def ticket_note(*, actor: Any, ticket: Ticket, body: str, uploads: Sequence[Any] = (),
                now: datetime.datetime | None = None) -> TicketMessage:
    """An internal note (never sent to the customer). People @mentioned (``@[Name](user-id)``, as in comments)
    are notified once; mentioning someone who cannot see the ticket is refused and nothing is saved."""
    _authorise_change(actor, ticket)
    text = _clean_body(body)
    users = _mentioned_users(ticket, text)
    checked = _check_uploads(uploads)
    names = {user.public_id: str(user) for user in users}
    now = now or timezone.now()
    with transaction.atomic():
        message = TicketMessage(ticket=ticket, kind=MessageKind.NOTE, direction=Direction.INTERNAL,
                                author=_user(actor), body=text, body_html=render_comment(text, names))
        message.save()
        TicketMessage.objects.filter(pk=message.pk).update(created_at=now)
        message.created_at = now
        message.mentions.set(users)
        _store_attachments(actor, ticket, message, checked)
        _event(ticket, EventKind.NOTED, actor, now, message=message.public_id)
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=ticket, summary="Internal note",
                     changes={"note": [None, text[:500]]})
        recipients = [user for user in users if user.pk != getattr(actor, "pk", None)]
        if recipients:
            notify(recipients=recipients, kind="mention", actor=actor, source=message,
                   url=ticket_url(ticket) + f"#message-{message.public_id}",
                   event_key=f"ticket-note:{message.pk}:mention",
                   title=translatable(gettext_lazy("%(author)s mentioned you on ticket %(reference)s"),
                                      author=str(actor), reference=ticket.reference),
                   body=plain_excerpt(text, names))
    return message


def ticket_attach(*, actor: Any, ticket: Ticket, uploads: Sequence[Any]) -> list[TicketAttachment]:
    _authorise_change(actor, ticket)
    checked = _check_uploads(uploads)
    if not checked:
        raise _fail("attachments", _("Choose at least one file."))
    with transaction.atomic():
        stored = _store_attachments(actor, ticket, None, checked)
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=ticket, summary="Attachments added",
                     changes={"attachments": [None, [item.name for item in stored]]})
    return stored


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


# --- SLA alerts -------------------------------------------------------------------------------------------------


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
