"""Tasks API: /api/v1/tasks."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Model
from django.utils import timezone
from ninja import Router
from ninja.responses import Status

from tandem.accounts import selectors as account_selectors
from tandem.accounts.models import Account
from tandem.api.auth import api_actor
from tandem.api.pagination import paginate
from tandem.contacts import selectors as contact_selectors
from tandem.core.exceptions import NotFound, ValidationFailed
from tandem.identity.models import User
from tandem.identity.requests import AuthedRequest
from tandem.scheduling.models import Task
from tandem.scheduling.tasks import selectors, services
from tandem.scheduling.tasks.choices import TaskPriority, TaskStatus
from tandem.scheduling.tasks.schemas import (
    RelatedRef,
    TaskBulkIn,
    TaskBulkOut,
    TaskBulkReassignIn,
    TaskIn,
    TaskOut,
    TaskPage,
    TaskPatch,
)
from tandem.timeline import selectors as timeline_selectors

router = Router(tags=["tasks"])
NULLABLE_FIELDS = {"account", "related", "due", "reminder_minutes"}


def _person(user: User | None) -> dict[str, str] | None:
    return {"email": user.email, "name": str(user)} if user else None


def _related_ref(task: Task) -> dict[str, str] | None:
    if task.related_type_id is None:
        return None
    record = task.related
    if record is None:
        return None
    return {"type": task.related_type.model if task.related_type else "", "id": getattr(record, "public_id", "")}


def _out(task: Task, now: datetime.datetime) -> dict[str, Any]:
    return {
        "id": task.public_id, "title": task.title, "description": task.description, "status": task.status,
        "priority": task.priority, "assignee": _person(task.assignee), "created_by": _person(task.created_by),
        "account": {"id": task.account.public_id, "name": task.account.name} if task.account else None,
        "related": _related_ref(task), "due": task.due_at, "due_date": task.due_date, "all_day": task.due_all_day,
        "overdue": selectors.is_task_overdue(task, now=now), "recurrence": task.recurrence,
        "reminder_minutes": task.reminder_minutes, "completed_at": task.completed_at,
        "created_at": task.created_at, "updated_at": task.updated_at,
    }


def _user(actor: Any, value: str | None, field: str) -> User | None:
    if value is None:
        return None
    if value.strip().lower() == "me":
        return actor
    user = selectors.assignable_user(email=value)
    if user is None:
        raise ValidationFailed("Unknown assignee.", errors={field: [f"No active user with email {value!r}."]})
    return user


def _account(actor: Any, public_id: str | None) -> Account | None:
    if not public_id:
        return None
    try:
        return account_selectors.account_get(actor=actor, public_id=public_id)
    except NotFound:
        raise ValidationFailed("Unknown account.",
                               errors={"account": [f"No visible account with id {public_id}."]}) from None


def _related(actor: Any, ref: RelatedRef | None) -> Model | None:
    if ref is None:
        return None
    try:
        if ref.type == "contact":
            return contact_selectors.contact_get(actor=actor, public_id=ref.id)
        if ref.type == "activity":
            return timeline_selectors.activity_get(actor=actor, public_id=ref.id)
    except NotFound:
        raise ValidationFailed("Unknown record.",
                               errors={"related.id": [f"No visible {ref.type} with id {ref.id}."]}) from None
    raise ValidationFailed("Unknown record type.", errors={"related.type": ["Use contact or activity."]})


def _due(value: str | None) -> datetime.date | datetime.datetime | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return datetime.date.fromisoformat(text)
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed("Invalid due.", errors={"due": [
            "Use a date (2025-03-31) or a date and time (2025-03-31T09:00:00+02:00)."]}) from None


def _instant(value: datetime.datetime | None) -> datetime.datetime | None:
    if value is not None and timezone.is_naive(value):
        raise ValidationFailed("Give an offset.", errors={"due_before": ["Include a time-zone offset."]})
    return value


@router.get("", response=TaskPage, operation_id="scheduling_task_list")
def task_list(request: AuthedRequest, limit: int | None = None, cursor: str | None = None, q: str = "",
              assignee: str | None = None, status: TaskStatus | None = None, priority: TaskPriority | None = None,
              account: str | None = None, due_before: datetime.datetime | None = None,
              due_after: datetime.datetime | None = None, sort: str = "due") -> dict[str, Any]:
    """List visible tasks. ``assignee`` is an email or ``me``; ``due_before``/``due_after`` are instants with an
    offset; ``sort`` is due (tasks without a due last), -due, priority, created, -created or title."""
    actor = api_actor(request, scope="tasks:read")
    email = actor.email if (assignee or "").strip().lower() == "me" else (assignee or "").strip()
    filters = selectors.TaskFilters(assignee_email=email, statuses=(status,) if status else (),
                                    priority=priority or "", account_public_id=account or "", search=q,
                                    due_before=_instant(due_before), due_after=_instant(due_after))
    tasks, ordering = selectors.task_sorted(tasks=selectors.task_list(actor=actor, filters=filters), sort=sort)
    page = paginate(tasks, ordering=ordering, limit=limit, cursor=cursor)
    now = timezone.now()
    return {"items": [_out(task, now) for task in page.items], "next_cursor": page.next_cursor}


@router.post("", response={201: TaskOut}, operation_id="scheduling_task_create")
def task_create(request: AuthedRequest, payload: TaskIn) -> Status:
    actor = api_actor(request, scope="tasks:write")
    task = services.task_create(
        actor=actor, title=payload.title, description=payload.description,
        assignee=_user(actor, payload.assignee, "assignee"), account=_account(actor, payload.account),
        related=_related(actor, payload.related), due=_due(payload.due), priority=payload.priority,
        recurrence=payload.recurrence, reminder_minutes=payload.reminder_minutes)
    return Status(201, _out(task, timezone.now()))


@router.post("/bulk-complete", response=TaskBulkOut, operation_id="scheduling_tasks_complete")
def task_bulk_complete(request: AuthedRequest, payload: TaskBulkIn) -> dict[str, Any]:
    """Complete every listed task, or none: if one is unknown or may not be changed, nothing changes and the
    problem's ``errors`` names each offending task by id."""
    actor = api_actor(request, scope="tasks:write")
    result = services.task_bulk_complete(actor=actor, public_ids=payload.tasks)
    now = timezone.now()
    return {"items": [_out(task, now) for task in result.tasks]}


@router.post("/bulk-reassign", response=TaskBulkOut, operation_id="scheduling_tasks_reassign")
def task_bulk_reassign(request: AuthedRequest, payload: TaskBulkReassignIn) -> dict[str, Any]:
    """Assign every listed task to ``assignee``, or none (as for bulk-complete)."""
    actor = api_actor(request, scope="tasks:write")
    result = services.task_bulk_reassign(actor=actor, public_ids=payload.tasks,
                                         assignee=_user(actor, payload.assignee, "assignee"))
    now = timezone.now()
    return {"items": [_out(task, now) for task in result.tasks]}


@router.get("/{task_id}", response=TaskOut, operation_id="scheduling_task_get")
def task_get(request: AuthedRequest, task_id: str) -> dict[str, Any]:
    actor = api_actor(request, scope="tasks:read")
    return _out(selectors.task_get(actor=actor, public_id=task_id), timezone.now())


STATUS_SERVICES = {TaskStatus.DONE: services.task_complete, TaskStatus.OPEN: services.task_reopen,
                   TaskStatus.IN_PROGRESS: services.task_start, TaskStatus.CANCELLED: services.task_cancel}


@router.patch("/{task_id}", response=TaskOut, operation_id="scheduling_task_update")
def task_update(request: AuthedRequest, task_id: str, payload: TaskPatch) -> dict[str, Any]:
    """Change the given fields; ``status`` completes (done), reopens (open), starts (in_progress) or cancels."""
    actor = api_actor(request, scope="tasks:write")
    task = selectors.task_get(actor=actor, public_id=task_id)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    for name in list(changes):
        if changes[name] is None and name not in NULLABLE_FIELDS:
            raise ValidationFailed("This field cannot be null.", errors={name: ["May not be null."]})
    status = changes.pop("status", None)
    if "assignee" in changes:
        changes["assignee"] = _user(actor, changes["assignee"], "assignee")
    if "account" in changes:
        changes["account"] = _account(actor, changes["account"])
    if "related" in changes:
        changes["related"] = _related(actor, payload.related)
    if "due" in changes:
        changes["due"] = _due(changes["due"])
    task = services.task_update(actor=actor, task=task, **changes)
    if status is not None:
        task = STATUS_SERVICES[TaskStatus(status)](actor=actor, task=task)
    return _out(task, timezone.now())


@router.delete("/{task_id}", response={204: None}, operation_id="scheduling_task_delete")
def task_delete(request: AuthedRequest, task_id: str) -> Status:
    actor = api_actor(request, scope="tasks:write")
    services.task_delete(actor=actor, task=selectors.task_get(actor=actor, public_id=task_id))
    return Status(204, None)
