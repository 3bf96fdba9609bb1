"""Demo data: deterministic, never duplicated, and each demo role sees a sensible part of it."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings

from tandem.accounts.models import Account, AccountTeamMember
from tandem.accounts.selectors import account_list
from tandem.contacts.models import Contact
from tandem.demo.generate import DEMO_USERS, generate
from tandem.identity.models import Team, User

PASSWORD = "demo password 1"


@pytest.fixture(scope="module")
def _demo_once(django_db_setup, django_db_blocker):
    """The demo, generated once for this module (~40 s) inside a transaction that is rolled back after its last
    test; each test runs in a savepoint of its own within it, so what one test writes the next does not see."""
    with django_db_blocker.unblock(), override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):  # 15 users; speed only
        with transaction.atomic():
            yield generate(seed=3, scale="small", password=PASSWORD, progress=lambda _message: None)
            transaction.set_rollback(True)
        assert not Account.objects.exists(), "the demo must not outlive this module"


@pytest.fixture
def demo(_demo_once, db):
    return _demo_once


def _visible(email: str) -> int:
    return account_list(actor=User.objects.get(email=email)).count()


def test_small_demo_data_has_every_role_three_managed_teams_and_sixty_accounts(demo):
    assert (demo.users_created, demo.accounts_created, demo.already_loaded) == (15, 60, False)
    assert Account.objects.count() == 60 and Contact.objects.count() == demo.contacts_created > 60
    for email, _name, roles in DEMO_USERS:
        user = User.objects.get(email=email)
        assert sorted(user.roles.values_list("code", flat=True)) == sorted(roles)
        assert user.check_password(PASSWORD)
    assert sorted(Team.objects.values_list("name", "manager__email")) == [
        ("APAC", "mei.manager@demo.tandem"), ("Delivery", "lea.manager@demo.tandem"),
        ("EMEA", "max.manager@demo.tandem")]
    assert set(AccountTeamMember.objects.values_list("role__code", flat=True)) == {
        "am", "csm", "implementation", "renewal"}
    assert {account.country for account in Account.objects.all()} >= {"DE", "KR", "CN"}


def test_each_demo_role_sees_a_sensible_part_of_the_accounts(demo):
    everyone = 60
    assert _visible("ada.admin@demo.tandem") == everyone
    assert _visible("vera.viewer@demo.tandem") == everyone
    amy, jun = _visible("amy.am@demo.tandem"), _visible("jun.am@demo.tandem")
    assert 0 < amy < everyone and 0 < jun < everyone
    cara, seo = _visible("cara.csm@demo.tandem"), _visible("seo.csm@demo.tandem")
    assert 0 < cara < amy and 0 < seo < jun  # a CSM only has the high-touch accounts
    max_, mei = _visible("max.manager@demo.tandem"), _visible("mei.manager@demo.tandem")
    assert (max_, mei) == (amy, jun) and amy + jun == everyone  # a regional manager sees the region
    ian, rick = _visible("ian.impl@demo.tandem"), _visible("rick.renewal@demo.tandem")
    assert 0 < ian < everyone and 0 < rick < everyone
    assert max(ian, rick) <= _visible("lea.manager@demo.tandem") < everyone  # their team: both, overlapping
    assert _visible("tina.support@demo.tandem") == everyone  # support answers any customer
    assert _visible("sam.sdr@demo.tandem") == 0  # prospects, not customers


def test_running_the_demo_again_adds_nothing(demo):
    names = sorted(Account.objects.values_list("name", flat=True))
    again = generate(seed=3, scale="small", password=PASSWORD, progress=lambda _message: None)
    assert (again.users_created, again.accounts_created, again.already_loaded) == (0, 0, True)
    assert sorted(Account.objects.values_list("name", flat=True)) == names


# That one seed gives the same companies (names, domains, tiers, owners) is shown end to end by
# tests/test_cli.py::test_demo_data_is_deterministic_and_not_duplicated, which loads it twice.


def test_demo_users_find_unread_notifications_and_follow_accounts(demo):
    from tandem.identity.models import User
    from tandem.notifications.models import Follow, Notification

    for user in User.objects.filter(email__endswith="@demo.tandem"):
        assert Notification.objects.filter(recipient=user, read_at__isnull=True).count() >= 1
    assert Follow.objects.count() >= 2


def test_demo_has_comments_with_mentions_and_a_pending_handoff_per_persona(demo):
    from tandem.collaboration.models import Comment, CommentMention, Handoff

    assert Comment.objects.count() == 12 and CommentMention.objects.count() == 12
    senders = set(Handoff.objects.filter(status="pending").values_list("from_user__email", flat=True))
    assert senders == {"ian.impl@demo.tandem", "amy.am@demo.tandem", "jun.am@demo.tandem"}


def test_the_demo_writes_its_tickets_through_the_ticket_services(demo):
    from tandem.demo.tickets import TICKETS
    from tandem.tickets.models import Ticket

    subjects = [row[0] for row in TICKETS]
    assert Ticket.objects.filter(subject__in=subjects).count() == len(TICKETS)
    assert Ticket.objects.filter(tier=2, escalated_at__isnull=False).exists()
    assert Ticket.objects.filter(status="pending_customer", resolution_due_at__isnull=True).exists()
    assert Ticket.objects.filter(satisfaction_rating=5, subject__in=subjects).count() == 2
