from __future__ import annotations

import datetime

from ninja import Schema
from pydantic import Field

from tandem.scheduling.tasks.choices import TaskPriority, TaskStatus

DUE_HELP = ("A date (2025-03-31: due that day, in the assignee's time zone) or a date and time with an offset "
            "(2025-03-31T09:00:00+02:00; without an offset, the caller's time zone)")
RECURRENCE_HELP = ("An RFC 5545 RRULE without the RRULE: prefix: FREQ (DAILY, WEEKLY, MONTHLY, YEARLY), INTERVAL, "
                   "COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH. Completing the task creates the next occurrence.")


class Ref(Schema):
    id: str
    name: str


class PersonRef(Schema):
    email: str
    name: str


class RelatedRef(Schema):
    type: str = Field(description="contact or activity")
    id: str = Field(description="Public id of the record")


class TaskOut(Schema):
    id: str
    title: str
    description: str
    status: TaskStatus
    priority: TaskPriority
    assignee: PersonRef | None
    created_by: PersonRef | None
    account: Ref | None
    related: RelatedRef | None
    due: datetime.datetime | None = Field(description="The instant the task is due (UTC)")
    due_date: datetime.date | None = Field(description="For a task due on a day without a time: that day")
    all_day: bool
    overdue: bool
    recurrence: str
    reminder_minutes: int | None
    completed_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class TaskIn(Schema):
    title: str = Field(max_length=300)
    description: str = Field(default="", max_length=20000)
    assignee: str | None = Field(default=None, description="Email of the assignee, or 'me' (the default)")
    account: str | None = Field(default=None, description="Public id of the account")
    related: RelatedRef | None = None
    due: str | None = Field(default=None, description=DUE_HELP)
    priority: TaskPriority = TaskPriority.NORMAL
    recurrence: str = Field(default="", max_length=500, description=RECURRENCE_HELP)
    reminder_minutes: int | None = Field(default=None, ge=0, description="Remind this many minutes before due")


class TaskPatch(Schema):
    title: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=20000)
    assignee: str | None = None
    account: str | None = None
    related: RelatedRef | None = None
    due: str | None = Field(default=None, description=DUE_HELP)
    priority: TaskPriority | None = None
    status: TaskStatus | None = Field(default=None, description="done completes, open reopens, cancelled cancels")
    recurrence: str | None = Field(default=None, max_length=500, description=RECURRENCE_HELP)
    reminder_minutes: int | None = Field(default=None, ge=0)


class TaskPage(Schema):
    items: list[TaskOut]
    next_cursor: str | None


class TaskBulkIn(Schema):
    tasks: list[str] = Field(min_length=1, max_length=500, description="Public ids of the tasks")


class TaskBulkReassignIn(TaskBulkIn):
    assignee: str = Field(description="Email of the new assignee, or 'me'")


class TaskBulkOut(Schema):
    items: list[TaskOut]
