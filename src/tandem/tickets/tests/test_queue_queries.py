"""The agent queues' query counts are pinned: a fixed number per request, whatever the number of rows (no query
per ticket: not for the SLA warning time, the account, the requester, the policy or the tags)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.contacts.models import Contact
from tandem.core.testing.factories import AccountFactory, UserFactory
from tandem.core.testing.fixtures import logged_in
from tandem.tickets import services

# session, user, permission grants, the page of tickets, then by id: accounts, requesters, SLA policies, tags
API_QUERIES = 8
# session, user, two-factor check, permission grants, SLA warning time, the page of tickets, its accounts,
# the group tabs, the agents of the assign menu
PAGE_QUERIES = 9


@pytest.fixture
def agent(db):
    return UserFactory(email="tina@example.test", full_name="Tina Tier1", roles=["support_tier1"])


def _open(agent, count: int, start: int = 0) -> None:
    for number in range(start, start + count):
        account = AccountFactory(name=f"Account {number}")
        contact = Contact.objects.create(account=account, last_name=f"Doe {number}",
                                         email=f"jane{number}@example.test")
        services.ticket_create(actor=agent, subject=f"Broken {number}", requester=contact,
                               priority="high" if number % 2 else "normal", tags=[f"tag-{number}", "urgent"],
                               assignee=agent if number % 3 == 0 else None)


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(queries.captured_queries)


@pytest.mark.parametrize("queue", ["tier1", "mine", "unassigned", "breaching", "all"])
def test_the_queue_api_costs_the_same_queries_for_three_tickets_as_for_thirty(agent, queue):
    client = logged_in(agent)
    _open(agent, 3)
    few = _count(client, f"/api/v1/tickets?queue={queue}&limit=50")
    _open(agent, 27, start=3)
    many = _count(client, f"/api/v1/tickets?queue={queue}&limit=50")
    assert few == many
    if queue in ("tier1", "all"):
        assert many == API_QUERIES


@pytest.mark.parametrize("queue", ["tier1", "mine", "breaching"])
def test_the_queue_page_costs_the_same_queries_for_three_tickets_as_for_thirty(agent, queue):
    client = logged_in(agent)
    _open(agent, 3)
    few = _count(client, f"/tickets/?queue={queue}")
    _open(agent, 27, start=3)
    many = _count(client, f"/tickets/?queue={queue}")
    assert few == many
    if queue == "tier1":
        assert many == PAGE_QUERIES


def test_a_group_queue_reads_the_group_once_and_an_unknown_group_is_empty(agent):
    _open(agent, 2, start=1)  # routed (no explicit assignee): the tier-1 group
    client = logged_in(agent)
    from tandem.tickets.models import TicketGroup

    group = TicketGroup.objects.filter(tier=1).first()
    assert group is not None
    items = client.get(f"/api/v1/tickets?queue=group:{group.public_id}").json()["items"]
    assert len(items) == 2
    assert client.get("/api/v1/tickets?queue=group:nope").json()["items"] == []
    page = client.get(f"/tickets/?queue=group:{group.public_id}")
    assert page.status_code == 200 and page.content.count(b'class="ticket-row"') == 2
