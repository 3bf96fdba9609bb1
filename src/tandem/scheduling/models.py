"""Scheduling: a person's tasks (to-dos) and meetings (calendar entries) — never background jobs.

The module has one section per sub-domain; each sub-domain's code lives in its own package
(``tasks/``, ``meetings/``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import Account
from tandem.core.models import PublicModel
from tandem.scheduling.tasks.choices import TaskPriority, TaskStatus

# --- Tasks ---------------------------------------------------------------------------------------------------


class Task(PublicModel):
    """A person's to-do, optionally about an account and/or another record (a contact, an activity…).

    ``due_at`` is the instant the task is due (UTC). A task due on a day without a time has ``due_all_day`` and
    ``due_date`` (the calendar day, as the person chose it); its ``due_at`` is the start of that day in the
    assignee's time zone, and it becomes overdue when that day has ended. ``recurrence`` is an RFC 5545 RRULE
    (without the ``RRULE:`` prefix); completing a recurring task creates its next occurrence, linked through
    ``previous``. ``remind_at`` is ``due_at`` minus the reminder offset; ``reminded_at`` is set once, by the one
    worker that claims the reminder."""

    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                 related_name="assigned_tasks", verbose_name=_("assignee"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("created by"))
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks",
                                verbose_name=_("account"))
    related_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    related_id = models.PositiveBigIntegerField(null=True, blank=True)
    related = GenericForeignKey("related_type", "related_id")
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    due_all_day = models.BooleanField(_("due on a day, without a time"), default=False)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    priority = models.CharField(_("priority"), max_length=10, choices=TaskPriority.choices,
                                default=TaskPriority.NORMAL)
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    recurrence = models.CharField(_("repeats"), max_length=500, blank=True)
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="next_occurrence")
    reminder_minutes = models.PositiveIntegerField(_("reminder (minutes before due)"), null=True, blank=True)
    remind_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"], name="task_assignee_due"),
            models.Index(fields=["account", "status", "due_at"], name="task_account_due"),
            models.Index(fields=["related_type", "related_id"], name="task_related"),
            models.Index(fields=["remind_at"], name="task_reminder_pending",
                         condition=models.Q(reminded_at__isnull=True, remind_at__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=TaskStatus.values), name="task_status_known"),
            models.CheckConstraint(condition=models.Q(priority__in=TaskPriority.values),
                                   name="task_priority_known"),
            models.CheckConstraint(
                condition=models.Q(status=TaskStatus.DONE, completed_at__isnull=False)
                | (~models.Q(status=TaskStatus.DONE) & models.Q(completed_at__isnull=True)),
                name="task_completed_at_iff_done"),
            models.CheckConstraint(condition=models.Q(due_all_day=False) | models.Q(due_date__isnull=False),
                                   name="task_all_day_has_date"),
        ]

    def __str__(self) -> str:
        return self.title


# --- Meetings ------------------------------------------------------------------------------------------------
