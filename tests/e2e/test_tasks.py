"""A CSM adds a task from an account page in Chromium, finds it on My day and completes it there."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tandem.core.testing.factories import AccountFactory, assign
from tandem.scheduling.models import Task
from tests.e2e.test_login import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_csm_adds_a_task_on_an_account_sees_it_on_my_day_and_completes_it(page, live_server, csm, password,
                                                                            shot):
    account = AccountFactory(name="Northwind")
    assign(account, csm, "csm")
    login(page, live_server, csm.email, password)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/accounts/{account.public_id}/")
    page.click("text=Add task")
    page.fill("input[name=title]", "Send the renewal proposal")
    today = timezone.localdate().isoformat()
    page.fill("input[name=due_date]", today)
    page.select_option("select[name=priority]", "high")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/accounts/{account.public_id}/**")
    assert "Send the renewal proposal" in page.inner_text("#account-tasks-heading >> xpath=../..")

    page.goto(f"{live_server.url}/")
    card = page.locator("#home-tasks")
    assert "Send the renewal proposal" in card.inner_text() and "Northwind" in card.inner_text()
    shot(page, "my-day-task")
    card.get_by_role("button", name="Complete Send the renewal proposal").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "Send the renewal proposal" not in page.locator("#home-tasks").inner_text()
    task = Task.objects.get(title="Send the renewal proposal")
    assert task.status == "done" and task.account == account and task.assignee == csm
    assert task.completed_at is not None and timezone.now() - task.completed_at < datetime.timedelta(minutes=5)
