"""notify(), preferences, the inbox and follows, through the real services."""

from __future__ import annotations

import pytest
from django.db import transaction

from tandem.accounts import services as account_services
from tandem.accounts.team import account_team_assign
from tandem.core.exceptions import NotFound, ValidationFailed
from tandem.core.testing.factories import AccountFactory, UserFactory
from tandem.notifications import selectors, services
from tandem.notifications.kinds import register_kind
from tandem.notifications.models import DeliveryOutbox, Follow, Notification


def _notify(recipients, event_key="comment:1", kind="mention", actor=None):
    return services.notify(recipients=recipients, kind=kind, title="Adam mentioned you", body="Look at this",
                           url="/accounts/x/", actor=actor, event_key=event_key)


def test_the_same_event_notifies_a_person_once_even_when_announced_twice(am, csm):
    first = _notify([csm], actor=am)
    second = _notify([csm], actor=am)
    assert len(first) == 1 and second == []
    assert Notification.objects.filter(recipient=csm).count() == 1
    assert DeliveryOutbox.objects.filter(recipient=csm, channel="email").count() == 1  # mentions email by default


def test_a_second_announcement_reaches_only_the_new_recipients(am, csm, manager):
    _notify([csm], actor=am)
    created = _notify([csm, manager, manager], actor=am)
    assert [n.recipient for n in created] == [manager]
    assert Notification.objects.count() == 2


def test_preferences_choose_the_channels(am, csm):
    services.preferences_update(actor=csm, user=csm, choices={"mention": ["digest"]})
    (notification,) = _notify([csm], actor=am)
    assert (notification.in_inbox, notification.in_digest) == (False, True)
    assert not DeliveryOutbox.objects.exists()
    assert selectors.unread_count(actor=csm) == 0  # not in the inbox when in-app is off


def test_a_person_who_turned_every_channel_off_gets_nothing(am, csm):
    services.preferences_update(actor=csm, user=csm, choices={"mention": []})
    assert _notify([csm], actor=am) == []
    assert not Notification.objects.exists()


def test_defaults_come_from_the_kind_and_other_apps_can_register_kinds(csm):
    register_kind("ticket_escalated", "Ticket escalated", default_channels=("in_app", "chat"))
    prefs = {pref.kind.code: pref for pref in selectors.preferences_of(actor=csm, user=csm)}
    assert prefs["ticket_escalated"].channels == {"in_app", "chat"}
    assert prefs["mention"].channels == {"in_app", "email"} and not prefs["mention"].customised
    with pytest.raises(LookupError):
        _notify([csm], kind="no_such_kind")


def test_unknown_kinds_and_channels_are_refused_with_field_errors(csm):
    with pytest.raises(ValidationFailed) as error:
        services.preferences_update(actor=csm, user=csm, choices={"mention": ["pigeon"], "nope": ["email"]})
    assert set(error.value.errors) == {"mention", "nope"}


def test_nobody_changes_or_reads_someone_elses_preferences(csm, am):
    with pytest.raises(NotFound):
        services.preferences_update(actor=am, user=csm, choices={"mention": []})
    with pytest.raises(NotFound):
        selectors.preferences_of(actor=am, user=csm)


def test_inactive_people_are_not_notified(am):
    gone = UserFactory(is_active=False)
    assert _notify([gone], actor=am) == []


def test_a_chat_row_is_written_only_when_a_webhook_is_set(am, csm):
    services.preferences_update(actor=csm, user=csm, choices={"mention": ["in_app", "chat"]})
    _notify([csm], actor=am)
    assert not DeliveryOutbox.objects.filter(channel="chat").exists()
    services.chat_webhook_set(actor=csm, user=csm, url="https://hooks.example.test/T/B/x")
    _notify([csm], actor=am, event_key="comment:2")
    assert DeliveryOutbox.objects.filter(channel="chat").count() == 1


def test_a_bad_webhook_url_is_refused_clearly(csm):
    with pytest.raises(ValidationFailed) as error:
        services.chat_webhook_set(actor=csm, user=csm, url="ftp://example.com/hook")
    assert error.value.errors == {"chat_webhook_url": ["The address must start with https:// (or http://)."]}


def test_a_team_webhook_needs_the_right_to_change_teams(csm, admin):
    from tandem.core.exceptions import PermissionDenied
    from tandem.core.testing.factories import TeamFactory

    team = TeamFactory()
    team.members.add(csm)
    with pytest.raises(PermissionDenied):
        services.chat_webhook_set(actor=csm, team=team, url="https://hooks.example.test/team")
    services.chat_webhook_set(actor=admin, team=team, url="https://hooks.example.test/team")
    assert selectors.chat_webhook_urls(users=[csm]) == {csm.pk: "https://hooks.example.test/team"}
    services.chat_webhook_set(actor=csm, user=csm, url="https://hooks.example.test/mine")
    assert selectors.chat_webhook_urls(users=[csm]) == {csm.pk: "https://hooks.example.test/mine"}


def test_a_person_only_ever_sees_their_own_inbox(am, csm, manager):
    _notify([csm], actor=am)
    _notify([manager], actor=am, event_key="comment:2")
    mine = selectors.notification_list(actor=csm)
    assert [n.recipient for n in mine] == [csm]
    theirs = Notification.objects.get(recipient=manager)
    with pytest.raises(NotFound):
        selectors.notification_get(actor=csm, public_id=theirs.public_id)
    with pytest.raises(NotFound):
        services.notification_mark_read(actor=csm, notification=theirs)
    assert services.notification_mark_all_read(actor=csm) == 1
    assert Notification.objects.get(recipient=manager).read_at is None


def test_the_inbox_lists_unread_items_first(am, csm):
    first = _notify([csm], actor=am, event_key="e1")[0]
    _notify([csm], actor=am, event_key="e2")
    services.notification_mark_read(actor=csm, notification=first)
    inbox = selectors.inbox(actor=csm)
    assert [n.event_key for n in inbox.unread] == ["e2"] and [n.event_key for n in inbox.read] == ["e1"]
    assert inbox.unread_total == 1


def test_following_is_idempotent_and_only_for_visible_records(am, csm, outsider):
    account = AccountFactory(owner=am)
    services.follow_create(actor=am, obj=account)
    services.follow_create(actor=am, obj=account)
    assert list(selectors.followers_of(account)) == [am]
    with pytest.raises(NotFound):
        services.follow_create(actor=outsider, obj=account)
    assert [item.record for item in selectors.follow_list(actor=am)] == [account]
    assert services.follow_delete(actor=am, obj=account) is True
    assert services.follow_delete(actor=am, obj=account) is False
    assert not Follow.objects.exists()


def test_a_stage_change_notifies_the_followers_but_not_the_person_who_made_it(am, manager, admin):
    account = AccountFactory(owner=am, lifecycle_stage="onboarding")
    services.follow_create(actor=am, obj=account)
    services.follow_create(actor=admin, obj=account)
    account_services.account_update(actor=admin, account=account, lifecycle_stage="adopting")
    notified = Notification.objects.get()
    assert notified.recipient == am and notified.kind == "follow_activity"
    assert notified.url == f"/accounts/{account.public_id}/" and notified.actor == admin
    assert "Adopting" in notified.title + notified.body
    assert not Notification.objects.filter(recipient=admin).exists()


def test_a_follower_who_can_no_longer_see_the_account_is_not_told_about_it(am, csm, admin):
    account = AccountFactory(owner=am, lifecycle_stage="onboarding")
    account_team_assign(actor=admin, account=account, role_code="csm", user=csm)
    services.follow_create(actor=csm, obj=account)
    account_team_assign(actor=admin, account=account, role_code="csm", user=None)
    Notification.objects.all().delete()
    account_services.account_update(actor=admin, account=account, lifecycle_stage="adopting")
    assert not Notification.objects.filter(recipient=csm).exists()


def test_a_team_change_notifies_followers(am, csm, admin):
    account = AccountFactory(owner=am)
    services.follow_create(actor=am, obj=account)
    account_team_assign(actor=admin, account=account, role_code="csm", user=csm)
    notified = Notification.objects.get(recipient=am)
    assert "Carla CSM" in notified.title + notified.body  # once, whether the timeline announced it too or not


def test_a_rolled_back_change_leaves_no_notification(am, admin):
    account = AccountFactory(owner=am, lifecycle_stage="onboarding")
    services.follow_create(actor=am, obj=account)
    with pytest.raises(RuntimeError), transaction.atomic():
        account_services.account_update(actor=admin, account=account, lifecycle_stage="adopting")
        raise RuntimeError("boom")
    assert not Notification.objects.exists() and not DeliveryOutbox.objects.exists()
