"""Task services: creating with a due in the person's time zone, completing (recurrence, timeline), reopening,
scoping, bulk actions (all or nothing) and reminders (exactly once)."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from tandem.audit.models import AuditEntry
from tandem.contacts.models import Contact
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.core.testing.factories import AccountFactory, UserFactory, assign
from tandem.notifications.models import Notification
from tandem.scheduling.models import Task
from tandem.scheduling.tasks import selectors, services
from tandem.scheduling.tasks.services import BulkRefused
from tandem.timeline.models import Activity

UTC = datetime.UTC


@pytest.fixture
def account(csm):
    account = AccountFactory(name="Contoso")
    assign(account, csm, "csm")
    return account


def future(days: int = 2) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def test_a_csm_creates_a_task_due_at_a_local_time_stored_in_utc(csm, account):
    csm.time_zone = "Asia/Seoul"
    csm.save()
    task = services.task_create(actor=csm, title="Call Jane", account=account,
                                due=datetime.datetime(2030, 5, 6, 9, 0))  # no offset: Carla's zone
    assert task.due_at == datetime.datetime(2030, 5, 6, 0, 0, tzinfo=UTC)
    assert task.assignee == csm and task.created_by == csm and task.status == "open"
    assert AuditEntry.objects.filter(action="create", object_id=str(task.pk)).exists()


def test_a_task_due_on_a_day_uses_the_assignees_time_zone(csm, am):
    am.time_zone = "America/New_York"
    am.save()
    task = services.task_create(actor=csm, title="Renewal prep", assignee=am, due=datetime.date(2030, 1, 15))
    assert task.due_all_day and task.due_date == datetime.date(2030, 1, 15)
    assert task.due_at == datetime.datetime(2030, 1, 15, 5, 0, tzinfo=UTC)


def test_a_task_about_a_contact_is_on_the_contacts_account(csm, account):
    jane = Contact.objects.create(account=account, first_name="Jane")
    task = services.task_create(actor=csm, title="Send deck", related=jane)
    assert task.account == account and task.related == jane


@pytest.mark.parametrize(("fields", "field"), [
    ({"title": "  "}, "title"),
    ({"title": "x", "recurrence": "FREQ=HOURLY"}, "recurrence"),
    ({"title": "x", "recurrence": "FREQ=WEEKLY"}, "recurrence"),  # repeating needs a due
    ({"title": "x", "reminder_minutes": 10}, "reminder_minutes"),  # reminder needs a due
    ({"title": "x", "priority": "extreme", "due": datetime.date(2030, 1, 1)}, "priority"),
])
def test_invalid_tasks_are_refused_with_the_field(csm, fields, field):
    with pytest.raises(ValidationFailed) as error:
        services.task_create(actor=csm, **fields)
    assert field in error.value.errors
    assert not Task.objects.exists()


def test_a_new_reminder_for_a_task_already_due_is_refused(csm):
    with pytest.raises(ValidationFailed) as error:
        services.task_create(actor=csm, title="Late", due=timezone.now() - datetime.timedelta(hours=1),
                             reminder_minutes=15)
    assert "reminder_minutes" in error.value.errors


def test_an_inactive_assignee_and_an_invisible_account_are_refused(csm, am):
    gone = UserFactory(is_active=False)
    hidden = AccountFactory(owner=am)
    with pytest.raises(ValidationFailed) as error:
        services.task_create(actor=csm, title="x", assignee=gone, account=hidden)
    assert set(error.value.errors) == {"assignee", "account"}


def test_a_viewer_may_not_create_tasks(viewer):
    with pytest.raises(PermissionDenied):
        services.task_create(actor=viewer, title="x")
    assert not Task.objects.exists()


def test_completing_a_task_on_an_account_puts_it_on_the_timeline(csm, account):
    task = services.task_create(actor=csm, title="QBR deck", account=account)
    services.task_complete(actor=csm, task=task)
    task.refresh_from_db()
    assert task.status == "done" and task.completed_at is not None
    activity = Activity.objects.get(account=account)
    assert activity.type == "system_event" and "QBR deck" in activity.subject
    assert activity.payload["task"] == task.public_id


def test_completing_a_recurring_task_creates_the_next_occurrence_once(csm):
    csm.time_zone = "Europe/Berlin"
    csm.save()
    due = datetime.datetime(2030, 3, 25, 9, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))  # a Monday
    task = services.task_create(actor=csm, title="Weekly check", due=due, recurrence="FREQ=WEEKLY;COUNT=3",
                                reminder_minutes=60)
    services.task_complete(actor=csm, task=task)
    services.task_reopen(actor=csm, task=task)
    services.task_complete(actor=csm, task=task)  # completing again creates no second copy
    following = Task.objects.get(previous=task)
    assert following.due_at == datetime.datetime(2030, 4, 1, 7, 0, tzinfo=UTC)
    assert following.recurrence == "FREQ=WEEKLY;COUNT=2" and following.status == "open"
    assert following.remind_at == following.due_at - datetime.timedelta(hours=1) and following.reminded_at is None
    assert Task.objects.count() == 2


def test_reopening_a_done_task_clears_its_completion(csm):
    task = services.task_create(actor=csm, title="x")
    services.task_complete(actor=csm, task=task)
    services.task_reopen(actor=csm, task=task)
    task.refresh_from_db()
    assert task.status == "open" and task.completed_at is None


def test_changing_the_due_arms_the_reminder_again(csm):
    task = services.task_create(actor=csm, title="x", due=future(), reminder_minutes=30)
    Task.objects.filter(pk=task.pk).update(reminded_at=timezone.now())
    task.refresh_from_db()
    services.task_update(actor=csm, task=task, due=future(3))
    task.refresh_from_db()
    assert task.reminded_at is None and task.remind_at == task.due_at - datetime.timedelta(minutes=30)


def test_a_csm_sees_their_own_tasks_and_those_on_their_accounts_only(csm, am, account):
    mine = services.task_create(actor=csm, title="mine")
    other = AccountFactory(owner=am)
    theirs = services.task_create(actor=am, title="theirs", account=other)
    on_my_account = Task.objects.create(title="on my account", assignee=am, created_by=am, account=account)
    visible = set(selectors.task_list(actor=csm).values_list("title", flat=True))
    assert visible == {mine.title, on_my_account.title}
    assert theirs.title not in visible


def test_someone_without_change_rights_cannot_complete_a_task(csm, am, viewer):
    task = services.task_create(actor=am, title="x")
    with pytest.raises(PermissionDenied):
        services.task_complete(actor=viewer, task=task)


def test_bulk_complete_is_all_or_nothing_and_lists_each_refused_task(csm, am, account):
    first = services.task_create(actor=csm, title="first")
    second = services.task_create(actor=csm, title="second", account=account)
    foreign = services.task_create(actor=am, title="Adam's", account=AccountFactory(owner=am))
    with pytest.raises(ValidationFailed) as error:  # a task Carla cannot see is "no such task", not "forbidden"
        services.task_bulk_complete(actor=csm, public_ids=[first.public_id, second.public_id, foreign.public_id,
                                                           "nope"])
    assert error.value.errors == {foreign.public_id: ["No such task."], "nope": ["No such task."]}
    assert set(Task.objects.values_list("status", flat=True)) == {"open"}
    result = services.task_bulk_complete(actor=csm, public_ids=[first.public_id, second.public_id])
    assert [task.status for task in result.tasks] == ["done", "done"]
    assert AuditEntry.objects.filter(action="change", object_id__in=[str(first.pk), str(second.pk)]).count() == 2


def test_a_visible_task_the_actor_may_not_change_refuses_the_bulk_action(csm, viewer):
    task = services.task_create(actor=csm, title="x")
    with pytest.raises(BulkRefused) as error:  # visible (viewers see every task) but not changeable: 403
        services.task_bulk_complete(actor=viewer, public_ids=[task.public_id])
    assert error.value.status == 403
    assert "may not change" in error.value.errors[task.public_id][0]
    assert Task.objects.get().status == "open"


def test_bulk_reassign_moves_every_task_and_audits_each(csm, am):
    tasks = [services.task_create(actor=csm, title=f"t{index}") for index in range(3)]
    services.task_bulk_reassign(actor=csm, public_ids=[task.public_id for task in tasks], assignee=am)
    assert set(Task.objects.values_list("assignee__email", flat=True)) == {am.email}
    assert AuditEntry.objects.filter(summary="Bulk reassignment").count() == 3
    with pytest.raises(ValidationFailed) as error:
        services.task_bulk_reassign(actor=csm, public_ids=[tasks[0].public_id], assignee=None)
    assert "assignee" in error.value.errors


def test_the_reminder_is_sent_once_when_its_time_has_come(csm):
    task = services.task_create(actor=csm, title="Prep QBR", due=future(1), reminder_minutes=60 * 24 * 2)
    assert services.task_reminders_send() == 1
    assert services.task_reminders_send() == 0
    notification = Notification.objects.get(recipient=csm, kind="task_due")
    assert notification.event_key == f"task-reminder:{task.pk}:{task.due_at.isoformat()}"
    assert "Prep QBR" in notification.title


def test_done_tasks_and_tasks_not_yet_due_for_a_reminder_are_not_reminded(csm):
    services.task_create(actor=csm, title="later", due=future(10), reminder_minutes=60)
    done = services.task_create(actor=csm, title="done", due=future(1), reminder_minutes=60 * 48)
    services.task_complete(actor=csm, task=done)
    assert services.task_reminders_send() == 0
    assert not Notification.objects.exists()


def test_my_day_lists_my_tasks_due_by_today_overdue_first(csm):
    now = timezone.now()
    late = services.task_create(actor=csm, title="late", due=now - datetime.timedelta(days=2))
    services.task_create(actor=csm, title="next week", due=now + datetime.timedelta(days=9))
    day = selectors.my_day_tasks(actor=csm)
    assert [task.title for task in day.tasks] == [late.title]
    assert day.overdue_count == 1
