"""Where tasks show outside their own pages: the Account 360 section, the contact page and the "My day" cards
(tasks due and overdue; unread mentions, read from the notifications inbox)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.notifications import selectors as notification_selectors
from tandem.scheduling.tasks import selectors
from tandem.scheduling.tasks.choices import ACTIVE_STATUSES
from tandem.scheduling.tasks.selectors import TaskFilters

SECTION_LIMIT = 10


def _marked(tasks: list[Any]) -> list[Any]:
    """Set ``is_overdue`` on each task for the templates."""
    now = timezone.now()
    for task in tasks:
        task.is_overdue = selectors.is_task_overdue(task, now=now)
    return tasks


def account_section(actor: Any, account: Any) -> dict[str, Any] | None:
    if not can(actor, Action.VIEW, resource="task"):
        return None
    open_tasks = selectors.tasks_of_account(actor=actor, account=account).filter(status__in=ACTIVE_STATUSES)
    return {"tasks": _marked(list(open_tasks.order_by("due_at", "id")[:SECTION_LIMIT])),
            "task_count": open_tasks.count(), "account": account,
            "can_add_task": can(actor, Action.CREATE, resource="task")}


def contact_section(actor: Any, contact: Any) -> dict[str, Any] | None:
    if not can(actor, Action.VIEW, resource="task"):
        return None
    filters = TaskFilters(related_type_id=ContentType.objects.get_for_model(type(contact)).pk,
                          related_id=contact.pk, statuses=tuple(ACTIVE_STATUSES))
    tasks = list(selectors.task_list(actor=actor, filters=filters).order_by("due_at", "id")[:SECTION_LIMIT])
    if not tasks and not can(actor, Action.CREATE, resource="task"):
        return None
    return {"tasks": _marked(tasks), "contact": contact, "can_add_task": can(actor, Action.CREATE, resource="task")}


def my_day_card(actor: Any) -> dict[str, Any] | None:
    if not can(actor, Action.VIEW, resource="task"):
        return None
    day = selectors.my_day_tasks(actor=actor)
    return {"tasks": _marked(day.tasks), "overdue_count": day.overdue_count, "total": day.total}


def mentions_card(actor: Any) -> dict[str, Any] | None:
    mentions = notification_selectors.notification_list(actor=actor, unread_only=True).filter(kind="mention")
    items = list(mentions[:5])
    return {"mentions": items, "count": len(items) if len(items) < 5 else mentions.count()}


def _merge_tasks(actor: Any, kept: Any, removed: Any) -> int:
    from tandem.scheduling.models import Task

    moved = Task.objects.filter(account=removed).update(account=kept)
    Task.objects.filter(related_type=ContentType.objects.get_for_model(type(removed)),
                        related_id=removed.pk).update(related_id=kept.pk)
    return int(moved)


def register() -> None:
    from tandem.accounts.merge import register_merge_step
    from tandem.accounts.sections import AccountSection, register_section

    register_merge_step("tasks", _merge_tasks)
    from tandem.contacts.merge import move_generic
    from tandem.contacts.merge import register_merge_step as register_contact_merge_step
    from tandem.scheduling.models import Task

    register_contact_merge_step("tasks", move_generic(Task, "related_type", "related_id"))
    from tandem.contacts.sections import ContactSection, register_contact_section
    from tandem.core.home import HomeCard, register_home_card

    register_section(AccountSection(key="tasks", order=15, template="scheduling/task_account_section.html",
                                    context=account_section))
    register_contact_section(ContactSection(key="tasks", order=15, template="scheduling/task_contact_section.html",
                                            context=contact_section))
    register_home_card(HomeCard(key="tasks", order=10, template="scheduling/task_home_card.html",
                                context=my_day_card))
    register_home_card(HomeCard(key="mentions", order=30, template="scheduling/mentions_home_card.html",
                                context=mentions_card))
