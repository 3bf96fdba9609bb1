"""Demo timeline entries."""

from __future__ import annotations

import random

from tandem.core.testing.factories import AccountFactory
from tandem.demo.activities import bulk_demo_activities, log_demo_activities
from tandem.timeline.models import Activity


def test_bulk_demo_entries_are_rendered_and_in_the_past(csm):
    accounts = [AccountFactory(), AccountFactory()]
    created = bulk_demo_activities(rng=random.Random(1), accounts=accounts, authors={accounts[0].pk: csm},
                                   per_account=3)
    assert created == 6 == Activity.objects.count()
    assert all(activity.body_html.startswith("<p>") for activity in Activity.objects.all())
    assert Activity.objects.filter(created_by=csm).count() == 3


def test_service_demo_entries_are_logged_by_the_account_team(admin):
    account = AccountFactory()
    count = log_demo_activities(rng=random.Random(2), account=account, authors=[admin], contacts=[])
    assert 3 <= count <= 6 and Activity.objects.filter(account=account, created_by=admin).count() == count
