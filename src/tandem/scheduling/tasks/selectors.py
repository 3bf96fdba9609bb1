"""Reads for tasks, scoped by the access module before anything is fetched."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, DateTimeField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from tandem.access.choices import Action
from tandem.access.decide import restrict
from tandem.accounts.models import Account
from tandem.core.exceptions import NotFound, ValidationFailed
from tandem.identity.models import User
from tandem.scheduling.models import Task
from tandem.scheduling.tasks.choices import ACTIVE_STATUSES, PRIORITY_RANK
from tandem.scheduling.tasks.logic import day_window, is_overdue

# Tasks without a due sort after every dated one.
NO_DUE = datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC)
DUE_WINDOWS = ("overdue", "today", "week", "none")


@dataclass(frozen=True)
class TaskFilters:
    """``assignee_email``: tasks assigned to that person; ``due``: overdue, today, week (due before the week
    ends, overdue included) or none (no due); ``due_before``/``due_after``: instants; ``statuses``: empty for
    all."""

    assignee_email: str = ""
    statuses: tuple[str, ...] = ()
    priority: str = ""
    account_public_id: str = ""
    due: str = ""
    due_before: datetime.datetime | None = None
    due_after: datetime.datetime | None = None
    search: str = ""
    related_type_id: int | None = None
    related_id: int | None = None


def is_task_overdue(task: Task, *, now: datetime.datetime) -> bool:
    return task.status in ACTIVE_STATUSES and is_overdue(due_at=task.due_at, all_day=task.due_all_day, now=now)


def overdue_condition(now: datetime.datetime) -> Q:
    """Active tasks past due: a timed task from its due instant, a day task once its day has ended."""
    return Q(status__in=ACTIVE_STATUSES) & (
        Q(due_all_day=False, due_at__lte=now) | Q(due_all_day=True, due_at__lte=now - datetime.timedelta(days=1)))


def task_list(*, actor: Any, action: str = Action.VIEW, filters: TaskFilters | None = None,
              now: datetime.datetime | None = None) -> QuerySet[Task]:
    """The tasks ``actor`` may ``action`` (view by default), filtered; "today" and "this week" are the actor's
    local day and week."""
    filters = filters or TaskFilters()
    now = now or timezone.now()
    tasks = restrict(Task.objects.select_related("assignee", "account", "created_by"), actor, action)
    if filters.assignee_email:
        tasks = tasks.filter(assignee__email=filters.assignee_email.strip().lower())
    if filters.statuses:
        tasks = tasks.filter(status__in=filters.statuses)
    if filters.priority:
        tasks = tasks.filter(priority=filters.priority)
    if filters.account_public_id:
        tasks = tasks.filter(account__public_id=filters.account_public_id)
    if filters.search:
        tasks = tasks.filter(Q(title__icontains=filters.search.strip())
                             | Q(description__icontains=filters.search.strip()))
    if filters.related_type_id is not None:
        tasks = tasks.filter(related_type_id=filters.related_type_id, related_id=filters.related_id)
    if filters.due_before is not None:
        tasks = tasks.filter(due_at__lt=filters.due_before)
    if filters.due_after is not None:
        tasks = tasks.filter(due_at__gte=filters.due_after)
    if filters.due:
        window = day_window(now=now, time_zone=getattr(actor, "time_zone", "") or "UTC")
        if filters.due == "overdue":
            tasks = tasks.filter(overdue_condition(now))
        elif filters.due == "today":
            tasks = tasks.filter(status__in=ACTIVE_STATUSES, due_at__gte=window.today_start,
                                 due_at__lt=window.today_end)
        elif filters.due == "week":
            tasks = tasks.filter(status__in=ACTIVE_STATUSES, due_at__lt=window.week_end)
        elif filters.due == "none":
            tasks = tasks.filter(due_at__isnull=True)
    return tasks


SORTS: dict[str, tuple[str, ...]] = {
    "due": ("due_key", "id"), "-due": ("-due_key", "-id"),
    "priority": ("priority_rank", "due_key", "id"),
    "created": ("created_at", "id"), "-created": ("-created_at", "-id"),
    "title": ("title", "id"),
}


def task_sorted(*, tasks: QuerySet[Task], sort: str) -> tuple[QuerySet[Task], tuple[str, ...]]:
    """The queryset with sort keys annotated and the keyset ordering for ``sort`` (due, -due, priority,
    created, -created, title). Tasks without a due sort last."""
    if sort not in SORTS:
        raise ValidationFailed("Unknown sort.", errors={"sort": [f"Use one of: {', '.join(SORTS)}."]})
    tasks = tasks.annotate(
        due_key=Coalesce("due_at", Value(NO_DUE, output_field=DateTimeField())),
        priority_rank=Case(*[When(priority=code, then=Value(rank)) for code, rank in PRIORITY_RANK.items()],
                           default=Value(9), output_field=IntegerField()),
    )
    return tasks, SORTS[sort]


def task_get(*, actor: Any, public_id: str, action: str = Action.VIEW) -> Task:
    task = task_list(actor=actor, action=action).filter(public_id=public_id).first()
    if task is None:
        raise NotFound("No such task.")
    return task


def tasks_by_public_ids(*, actor: Any, public_ids: list[str]) -> dict[str, Task]:
    """The visible tasks among ``public_ids``, by public id (missing ones are invisible or do not exist)."""
    return {task.public_id: task for task in task_list(actor=actor).filter(public_id__in=public_ids)}


def tasks_of_account(*, actor: Any, account: Account) -> QuerySet[Task]:
    return task_list(actor=actor).filter(account=account)


@dataclass(frozen=True)
class MyDay:
    """The signed-in person's active tasks due today or earlier (overdue first), and how many are overdue."""

    tasks: list[Task]
    overdue_count: int
    total: int


def my_day_tasks(*, actor: Any, limit: int = 10, now: datetime.datetime | None = None) -> MyDay:
    now = now or timezone.now()
    window = day_window(now=now, time_zone=getattr(actor, "time_zone", "") or "UTC")
    due_by_today = restrict(Task.objects.select_related("account"), actor).filter(
        assignee_id=actor.pk, status__in=ACTIVE_STATUSES, due_at__lt=window.today_end).order_by("due_at", "id")
    tasks = list(due_by_today[:limit])
    return MyDay(tasks=tasks, overdue_count=due_by_today.filter(overdue_condition(now)).count(),
                 total=len(tasks) if len(tasks) < limit else due_by_today.count())


def reminders_due(*, now: datetime.datetime, limit: int = 500) -> QuerySet[Task]:
    """Active tasks whose reminder time has come and that nobody has reminded yet (for the reminder job, which
    acts as the system: no actor scope)."""
    return (Task.objects.select_related("assignee", "account")
            .filter(remind_at__lte=now, reminded_at__isnull=True, status__in=ACTIVE_STATUSES,
                    assignee__isnull=False).order_by("remind_at", "id")[:limit])


def assignable_user(*, email: str) -> User | None:
    """The active user with this email (tasks can be assigned to any active colleague)."""
    return User.objects.filter(email=email.strip().lower(), is_active=True).first()
