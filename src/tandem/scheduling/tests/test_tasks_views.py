"""Task pages: My tasks (scoping, filters, overdue highlighting, bulk actions), the form, Account 360, My day."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.core.testing.factories import AccountFactory, assign
from tandem.core.testing.fixtures import logged_in
from tandem.scheduling.models import Task
from tandem.scheduling.tasks import services


@pytest.fixture
def account(csm):
    account = AccountFactory(name="Contoso")
    assign(account, csm, "csm")
    return account


def test_overdue_tasks_are_highlighted_on_my_tasks(csm):
    services.task_create(actor=csm, title="Late one", due=timezone.now() - datetime.timedelta(hours=2))
    services.task_create(actor=csm, title="Fine one", due=timezone.now() + datetime.timedelta(days=3))
    html = logged_in(csm).get(reverse("scheduling:task-list")).content.decode()
    late_row = html[html.index("Late one") - 600:html.index("Late one")]
    fine_row = html[html.index("Fine one") - 600:html.index("Fine one")]
    assert "task-overdue" in late_row.split("<tr")[-1]
    assert "task-overdue" not in fine_row.split("<tr")[-1]


def test_my_tasks_shows_only_what_the_csm_may_see(csm, am):
    services.task_create(actor=csm, title="Carla's task")
    services.task_create(actor=am, title="Adam's secret", account=AccountFactory(owner=am))
    html = logged_in(csm).get(reverse("scheduling:task-list") + "?assignee=").content.decode()
    assert "Carla&#x27;s task" in html or "Carla's task" in html
    assert "Adam&#x27;s secret" not in html and "Adam's secret" not in html


def test_the_overdue_filter_leaves_out_tasks_not_yet_due(csm):
    services.task_create(actor=csm, title="Late one", due=timezone.now() - datetime.timedelta(hours=2))
    services.task_create(actor=csm, title="Fine one", due=timezone.now() + datetime.timedelta(days=3))
    html = logged_in(csm).get(reverse("scheduling:task-list") + "?due=overdue").content.decode()
    assert "Late one" in html and "Fine one" not in html


def test_a_task_is_created_from_the_account_page_in_the_users_time_zone(csm, account):
    csm.time_zone = "Europe/Berlin"
    csm.save()
    client = logged_in(csm)
    page = client.get(reverse("accounts:account-detail", args=[account.public_id])).content.decode()
    assert f"{reverse('scheduling:task-create')}?account={account.public_id}" in page
    response = client.post(reverse("scheduling:task-create"), {
        "title": "Send QBR deck", "assignee": csm.email, "account": account.public_id, "due_date": "2030-06-03",
        "due_time": "09:30", "priority": "high", "repeat": "", "reminder": "60"})
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.account == account and task.priority == "high" and task.reminder_minutes == 60
    assert task.due_at == datetime.datetime(2030, 6, 3, 7, 30, tzinfo=datetime.UTC)
    assert "Send QBR deck" in client.get(reverse("accounts:account-detail", args=[account.public_id])).content.decode()


def test_a_bad_custom_rule_shows_the_reason_on_the_form(csm):
    response = logged_in(csm).post(reverse("scheduling:task-create"), {
        "title": "x", "assignee": csm.email, "due_date": "2030-06-03", "priority": "normal", "repeat": "custom",
        "recurrence": "FREQ=SECONDLY"})
    assert response.status_code == 200
    assert "Not a valid repeat rule" in response.content.decode()
    assert not Task.objects.exists()


def test_my_day_shows_tasks_due_and_overdue_and_completing_one_removes_it(csm):
    task = services.task_create(actor=csm, title="Call back Jane", due=timezone.now() - datetime.timedelta(hours=1))
    client = logged_in(csm)
    home = client.get(reverse("web:home")).content.decode()
    assert "Tasks due and overdue" in home and "Call back Jane" in home
    client.post(reverse("scheduling:task-status", args=[task.public_id]), {"status": "done", "next": "/"})
    assert "Call back Jane" not in client.get(reverse("web:home")).content.decode()


def test_bulk_complete_from_the_list_refuses_everything_when_one_task_is_forbidden(csm, viewer):
    mine = services.task_create(actor=csm, title="mine")
    response = logged_in(viewer).post(reverse("scheduling:task-bulk"),
                                      {"action": "complete", "tasks": [mine.public_id]}, follow=True)
    assert "Nothing was changed" in response.content.decode()
    assert Task.objects.get().status == "open"
    response = logged_in(csm).post(reverse("scheduling:task-bulk"), {"action": "complete",
                                                                     "tasks": [mine.public_id]})
    assert response.status_code == 302 and Task.objects.get().status == "done"


def test_the_task_page_of_an_invisible_task_is_404(csm, am):
    task = services.task_create(actor=am, title="x", account=AccountFactory(owner=am))
    assert logged_in(csm).get(reverse("scheduling:task-detail", args=[task.public_id])).status_code == 404
