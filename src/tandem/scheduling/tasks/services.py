"""Writes for tasks: authorise → validate → write → audit → timeline → notify (after commit)."""

from __future__ import annotations

import datetime
import functools
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts.models import Account
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_created, audit_deleted, audit_record, diff, snapshot
from tandem.core.exceptions import DomainError, PermissionDenied, ValidationFailed
from tandem.identity.models import User
from tandem.notifications.services import notify
from tandem.notifications.text import translatable
from tandem.scheduling.models import Task
from tandem.scheduling.tasks import selectors
from tandem.scheduling.tasks.choices import ACTIVE_STATUSES, TaskPriority, TaskStatus
from tandem.scheduling.tasks.logic import (
    MAX_REMINDER_MINUTES,
    Due,
    RuleError,
    due_from_local,
    next_occurrence,
    normalise_rule,
    remind_at,
)
from tandem.timeline.choices import ActivityType
from tandem.timeline.services import record_system_activity

AUDITED_FIELDS = ("title", "description", "assignee", "account", "related_type", "related_id", "due_at",
                  "due_all_day", "due_date", "priority", "status", "completed_at", "recurrence", "reminder_minutes")
EDITABLE = ("title", "description", "assignee", "account", "related", "due", "priority", "recurrence",
            "reminder_minutes")
MAX_BULK = 500


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _zone_of(user: Any) -> str:
    zone = getattr(user, "time_zone", "") or "UTC"
    return zone if zone in _time_zones() else "UTC"


def _user(actor: Any) -> User | None:
    return None if getattr(actor, "is_system", False) or getattr(actor, "pk", None) is None else actor


def _due(value: datetime.date | datetime.datetime | None, *, actor: Any, assignee: User | None) -> Due | None:
    """A date means "on that day" in the assignee's time zone; a datetime without an offset is wall-clock time
    in the actor's time zone."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            value = value.replace(tzinfo=zoneinfo.ZoneInfo(_zone_of(actor)))
        return Due(at=value.astimezone(datetime.UTC), all_day=False, date=None)
    return due_from_local(date=value, time=None, time_zone=_zone_of(assignee or actor))


def _task_due(task: Task) -> Due | None:
    if task.due_at is None:
        return None
    return Due(at=task.due_at, all_day=task.due_all_day, date=task.due_date)


def _apply_due(task: Task, due: Due | None) -> None:
    task.due_at = due.at if due else None
    task.due_all_day = bool(due and due.all_day)
    task.due_date = due.date if due else None


def _related_account(related: Model | None) -> Account | None:
    account = getattr(related, "account", None)
    return account if isinstance(account, Account) else None


def _validate(actor: Any, task: Task, *, creating: bool) -> None:
    errors: dict[str, list[str]] = {}
    task.title = task.title.strip()
    if not task.title:
        errors.setdefault("title", []).append(_("Give the task a title."))
    elif len(task.title) > 300:
        errors.setdefault("title", []).append(_("At most %(limit)d characters (this has %(length)d).")
                                              % {"limit": 300, "length": len(task.title)})
    if task.assignee is None or not task.assignee.is_active:
        errors.setdefault("assignee", []).append(_("Assign the task to an active colleague."))
    if task.priority not in TaskPriority.values:
        errors.setdefault("priority", []).append(_("Value %(value)r is not a valid choice.")
                                                 % {"value": task.priority})
    try:
        task.recurrence = normalise_rule(task.recurrence or "")
    except RuleError as error:
        errors.setdefault("recurrence", []).append(_("Not a valid repeat rule: %(reason)s")
                                                   % {"reason": str(error)})
    if task.recurrence and task.due_at is None:
        errors.setdefault("recurrence", []).append(_("A repeating task needs a due date."))
    if task.reminder_minutes is not None:
        if task.due_at is None:
            errors.setdefault("reminder_minutes", []).append(_("A reminder needs a due date."))
        elif not 0 <= task.reminder_minutes <= MAX_REMINDER_MINUTES:
            errors.setdefault("reminder_minutes", []).append(
                _("Remind at most %(days)d days before.") % {"days": MAX_REMINDER_MINUTES // (60 * 24)})
        elif creating and task.due_at <= timezone.now():
            errors.setdefault("reminder_minutes", []).append(
                _("The task is already due, so a reminder would never come; leave the reminder empty."))
    if task.account is not None and not can(actor, Action.VIEW, task.account):
        errors.setdefault("account", []).append(_("Unknown account."))
    if task.related_type_id is not None and task.related is not None and not can(actor, Action.VIEW,
                                                                                  task.related):
        errors.setdefault("related", []).append(_("Unknown record."))
    if errors:
        raise ValidationFailed(_("The task is invalid."), errors=errors)
    task.remind_at = remind_at(due_at=task.due_at, reminder_minutes=task.reminder_minutes)


def task_create(*, actor: Any, title: str, description: str = "", assignee: User | None = None,
                account: Account | None = None, related: Model | None = None,
                due: datetime.date | datetime.datetime | None = None, priority: str = TaskPriority.NORMAL,
                recurrence: str = "", reminder_minutes: int | None = None) -> Task:
    """A new open task, assigned to ``assignee`` (the actor when None). A task about a record (a contact, an
    activity) is also about that record's account unless another account is given."""
    if not can(actor, Action.CREATE, resource="task"):
        raise PermissionDenied(_("You may not create tasks."))
    assignee = assignee if assignee is not None else _user(actor)
    task = Task(title=title, description=description.strip(), assignee=assignee, created_by=_user(actor),
                account=account or _related_account(related), priority=priority, recurrence=recurrence,
                reminder_minutes=reminder_minutes)
    if related is not None:
        task.related = related
    _apply_due(task, _due(due, actor=actor, assignee=assignee))
    _validate(actor, task, creating=True)
    with transaction.atomic():
        task.save()
        audit_created(actor=actor, obj=task, fields=AUDITED_FIELDS)
    return task


_UNSET: Any = object()


def task_update(*, actor: Any, task: Task, title: str = _UNSET, description: str = _UNSET,
                assignee: User | None = _UNSET, account: Account | None = _UNSET, related: Model | None = _UNSET,
                due: datetime.date | datetime.datetime | None = _UNSET, priority: str = _UNSET,
                recurrence: str = _UNSET, reminder_minutes: int | None = _UNSET) -> Task:
    """Change the given fields (others stay). A new due or reminder arms the reminder again."""
    if not can(actor, Action.CHANGE, task):
        raise PermissionDenied(_("You may not change this task."))
    before = snapshot(task, AUDITED_FIELDS)
    values: dict[str, Any] = {"title": title, "description": description, "assignee": assignee,
                              "account": account, "priority": priority, "recurrence": recurrence,
                              "reminder_minutes": reminder_minutes}
    for name, value in values.items():
        if value is not _UNSET:
            setattr(task, name, value.strip() if name == "description" and value else value)
    if related is not _UNSET:
        task.related_type, task.related_id = None, None
        if related is not None:
            task.related = related
    if due is not _UNSET:
        _apply_due(task, _due(due, actor=actor, assignee=task.assignee))
    old_remind_at = task.remind_at
    _validate(actor, task, creating=False)
    if task.remind_at != old_remind_at:
        task.reminded_at = None
    changes = diff(before, snapshot(task, AUDITED_FIELDS))
    if not changes:
        return task
    with transaction.atomic():
        task.save()
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=task, changes=changes)
    return task


def _set_status(actor: Any, task: Task, status: str) -> Task | None:
    """Inside a transaction: the status change with its audit entry; returns the next occurrence created when
    a recurring task is completed."""
    before = snapshot(task, AUDITED_FIELDS)
    task.status = status
    task.completed_at = timezone.now() if status == TaskStatus.DONE else None
    task.save(update_fields=["status", "completed_at", "updated_at"])
    audit_record(actor=actor, action=AuditAction.CHANGE, obj=task, changes=diff(before, snapshot(task,
                                                                                                  AUDITED_FIELDS)))
    if status != TaskStatus.DONE:
        return None
    if task.account is not None:
        record_system_activity(account=task.account, type=ActivityType.SYSTEM_EVENT, actor=actor, source=task,
                               subject=_("Task completed: %(title)s") % {"title": task.title},
                               payload={"event": "task_completed", "task": task.public_id})
    return _create_next_occurrence(actor, task)


def _create_next_occurrence(actor: Any, task: Task) -> Task | None:
    due = _task_due(task)
    if not task.recurrence or due is None or Task.objects.filter(previous=task).exists():
        return None
    following = next_occurrence(rule=task.recurrence, due=due, time_zone=_zone_of(task.assignee))
    if following is None:
        return None
    upcoming = Task(title=task.title, description=task.description, assignee=task.assignee,
                    created_by=task.created_by, account=task.account, related_type=task.related_type,
                    related_id=task.related_id, priority=task.priority, recurrence=following.rule,
                    reminder_minutes=task.reminder_minutes, previous=task)
    _apply_due(upcoming, following.due)
    upcoming.remind_at = remind_at(due_at=upcoming.due_at, reminder_minutes=upcoming.reminder_minutes)
    upcoming.save()
    audit_created(actor=actor, obj=upcoming, fields=AUDITED_FIELDS,
                  summary=f"Next occurrence of task {task.public_id}")
    return upcoming


def _locked(task: Task) -> Task:
    return Task.objects.select_for_update(of=("self",)).select_related("assignee", "account").get(pk=task.pk)


def task_complete(*, actor: Any, task: Task) -> Task:
    """Mark done (a no-op when it already is). A recurring task gets its next occurrence; a task on an account
    puts an entry on that account's timeline."""
    if not can(actor, Action.CHANGE, task):
        raise PermissionDenied(_("You may not change this task."))
    with transaction.atomic():
        task = _locked(task)
        if task.status != TaskStatus.DONE:
            _set_status(actor, task, TaskStatus.DONE)
    return task


def _move(actor: Any, task: Task, status: str, *, applies: Callable[[str], bool]) -> Task:
    """Set ``status`` when ``applies`` to the current one (read under a row lock); otherwise leave the task."""
    if not can(actor, Action.CHANGE, task):
        raise PermissionDenied(_("You may not change this task."))
    with transaction.atomic():
        task = _locked(task)
        if applies(task.status):
            _set_status(actor, task, status)
    return task


def task_reopen(*, actor: Any, task: Task) -> Task:
    """Back to open (from done or cancelled). An occurrence already created for a recurring task stays."""
    return _move(actor, task, TaskStatus.OPEN, applies=lambda current: current not in ACTIVE_STATUSES)


def task_start(*, actor: Any, task: Task) -> Task:
    return _move(actor, task, TaskStatus.IN_PROGRESS, applies=lambda current: current != TaskStatus.IN_PROGRESS)


def task_cancel(*, actor: Any, task: Task) -> Task:
    """Cancel: not done and not to do (a recurring series ends here)."""
    return _move(actor, task, TaskStatus.CANCELLED, applies=lambda current: current != TaskStatus.CANCELLED)


def task_delete(*, actor: Any, task: Task) -> None:
    if not can(actor, Action.DELETE, task):
        raise PermissionDenied(_("You may not delete this task."))
    with transaction.atomic():
        audit_deleted(actor=actor, obj=task, fields=AUDITED_FIELDS)
        task.delete()


# --- bulk ------------------------------------------------------------------------------------------------------


class BulkRefused(DomainError):
    """A bulk action refused as a whole; ``errors`` maps each offending task's public id to the reason."""

    status = 403
    title = "Permission denied"


@dataclass(frozen=True)
class BulkResult:
    tasks: list[Task]


def _bulk_targets(actor: Any, public_ids: Sequence[str]) -> list[Task]:
    """Every task, checked before anything changes: all visible and changeable, or the whole action is refused
    with one reason per offending task (403 if one is forbidden, 422 if some only do not exist)."""
    wanted = list(dict.fromkeys(public_id.strip() for public_id in public_ids if public_id.strip()))
    if not wanted:
        raise ValidationFailed(_("Choose at least one task."), errors={"tasks": [_("Choose at least one task.")]})
    if len(wanted) > MAX_BULK:
        raise ValidationFailed(_("At most %(limit)d tasks at once.") % {"limit": MAX_BULK},
                               errors={"tasks": [_("At most %(limit)d tasks at once.") % {"limit": MAX_BULK}]})
    found = selectors.tasks_by_public_ids(actor=actor, public_ids=wanted)
    errors: dict[str, list[str]] = {}
    forbidden = False
    for public_id in wanted:
        task = found.get(public_id)
        if task is None:
            errors[public_id] = [_("No such task.")]
        elif not can(actor, Action.CHANGE, task):
            errors[public_id] = [_("You may not change this task: %(title)s") % {"title": task.title}]
            forbidden = True
    if errors:
        message = _("Nothing was changed: %(count)d of the %(total)d tasks cannot be changed by you.") % {
            "count": len(errors), "total": len(wanted)}
        if forbidden:
            raise BulkRefused(message, errors=errors)
        raise ValidationFailed(message, errors=errors)
    return [found[public_id] for public_id in wanted]


def task_bulk_complete(*, actor: Any, public_ids: Sequence[str]) -> BulkResult:
    """Complete every task, or none: each one is checked first; each completion is audited."""
    targets = _bulk_targets(actor, public_ids)
    with transaction.atomic():
        done = []
        for task in targets:
            locked = _locked(task)
            if locked.status != TaskStatus.DONE:
                _set_status(actor, locked, TaskStatus.DONE)
            done.append(locked)
    return BulkResult(tasks=done)


def task_bulk_reassign(*, actor: Any, public_ids: Sequence[str], assignee: User | None) -> BulkResult:
    """Assign every task to ``assignee``, or none; each change is audited."""
    if assignee is None or not assignee.is_active:
        raise ValidationFailed(_("Assign the tasks to an active colleague."),
                               errors={"assignee": [_("Assign the tasks to an active colleague.")]})
    targets = _bulk_targets(actor, public_ids)
    with transaction.atomic():
        changed = []
        for task in targets:
            locked = _locked(task)
            if locked.assignee_id != assignee.pk:
                before = snapshot(locked, AUDITED_FIELDS)
                locked.assignee = assignee
                locked.save(update_fields=["assignee", "updated_at"])
                audit_record(actor=actor, action=AuditAction.CHANGE, obj=locked,
                             changes=diff(before, snapshot(locked, AUDITED_FIELDS)), summary="Bulk reassignment")
            changed.append(locked)
    return BulkResult(tasks=changed)


# --- reminders -------------------------------------------------------------------------------------------------


def reminder_event_key(task: Task) -> str:
    assert task.due_at is not None
    return f"task-reminder:{task.pk}:{task.due_at.isoformat()}"


def task_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Remind the assignee of every task whose reminder time has come, exactly once: a task is claimed with
    ``UPDATE … SET reminded_at WHERE reminded_at IS NULL`` (only one worker's update matches), and the
    notification's event key makes ``notify`` a no-op if it ever ran again. Returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    for task in selectors.reminders_due(now=now):
        if task.assignee is None:
            continue
        with transaction.atomic():
            claimed = Task.objects.filter(pk=task.pk, reminded_at__isnull=True).update(reminded_at=now)
            if not claimed:
                continue
            notify(recipients=[task.assignee], kind="task_due", actor=None, source=task,
                   event_key=reminder_event_key(task),
                   title=translatable(gettext_lazy("Task due: %(title)s"), title=task.title),
                   body=task.account.name if task.account else "",
                   url=reverse("scheduling:task-detail", args=[task.public_id]))
            sent += 1
    return sent
