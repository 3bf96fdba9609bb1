"""Handoffs between roles: start → tick → accept (the receiver joins the account team), decline with a reason,
cancel, one open handoff per account and role, timeline entries and notifications for each step."""

from __future__ import annotations

import pytest

from tandem.accounts.models import AccountTeamMember
from tandem.audit.models import AuditEntry
from tandem.collaboration import selectors, services
from tandem.collaboration.models import Handoff, HandoffTemplate
from tandem.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from tandem.core.home import home_cards_for
from tandem.core.testing.factories import AccountFactory, UserFactory, assign
from tandem.core.testing.fixtures import logged_in
from tandem.notifications.models import Notification
from tandem.timeline.models import Activity


@pytest.fixture
def ae(db):
    return UserFactory(email="erin@example.test", full_name="Erin AE", roles=["ae"])


@pytest.fixture
def ian(db):
    return UserFactory(email="ian@example.test", full_name="Ian Implementation", roles=["implementation"])


@pytest.fixture
def account(ae):
    return AccountFactory(name="Contoso", owner=ae)


def start(ae, account, ian, **extra):
    return services.handoff_start(actor=ae, account=account, to_user=ian, to_role_code="implementation",
                                  from_role_code="ae", note="Signed last week", **extra)


def test_default_templates_are_seeded(db):
    pairs = set(HandoffTemplate.objects.values_list("from_role__code", "to_role__code"))
    assert {("ae", "implementation"), ("implementation", "csm"), ("am", "renewal")} <= pairs
    template = HandoffTemplate.objects.get(from_role__code="ae", to_role__code="implementation")
    assert "Contract attached" in template.checklist


def test_the_lifecycle_start_tick_accept_puts_the_receiver_on_the_team(ae, ian, account):
    handoff = start(ae, account, ian)
    assert handoff.status == "pending" and [item["done"] for item in handoff.checklist] == [False] * 4
    assert Notification.objects.filter(recipient=ian, kind="handoff").count() == 1
    with pytest.raises(ValidationFailed) as error:
        services.handoff_accept(actor=ian, handoff=handoff)
    assert "checklist" in error.value.errors
    services.handoff_tick(actor=ae, handoff=handoff, items={0: True, 1: True})
    services.handoff_tick(actor=ian, handoff=handoff, items={2: True, 3: True})
    handoff = services.handoff_accept(actor=ian, handoff=Handoff.objects.get(pk=handoff.pk))
    assert handoff.status == "accepted" and handoff.closed_at is not None
    seat = AccountTeamMember.objects.get(account=account, role__code="implementation")
    assert seat.user == ian
    events = list(Activity.objects.filter(account=account, payload__event__startswith="handoff_")
                  .order_by("occurred_at", "id").values_list("payload__event", flat=True))
    assert events == ["handoff_started", "handoff_accepted"]
    assert Activity.objects.filter(account=account, payload__event="team_changed").exists()
    assert Notification.objects.filter(recipient=ae, kind="handoff").count() == 1
    assert AuditEntry.objects.filter(content_type__model="handoff", object_id=str(handoff.pk),
                                     action="change").count() == 3  # 2 ticks + accept
    assert AuditEntry.objects.filter(content_type__model="account", object_id=str(account.pk),
                                     changes__has_key="team.implementation").exists()


def test_without_assign_seat_the_team_stays(ae, ian, account):
    handoff = start(ae, account, ian, assign_seat=False)
    services.handoff_tick(actor=ian, handoff=handoff, items=dict.fromkeys(range(4), True))
    services.handoff_accept(actor=ian, handoff=handoff)
    assert not AccountTeamMember.objects.filter(account=account).exists()


def test_declining_needs_a_reason_and_tells_the_sender(ae, ian, account):
    handoff = start(ae, account, ian)
    with pytest.raises(ValidationFailed) as error:
        services.handoff_decline(actor=ian, handoff=handoff, reason="  ")
    assert list(error.value.errors) == ["reason"]
    assert Handoff.objects.get(pk=handoff.pk).status == "pending"
    services.handoff_decline(actor=ian, handoff=handoff, reason="On leave until May")
    handoff.refresh_from_db()
    assert handoff.status == "declined" and handoff.decline_reason == "On leave until May"
    assert Notification.objects.filter(recipient=ae, kind="handoff").count() == 1
    assert Activity.objects.filter(account=account, payload__event="handoff_declined",
                                   body="On leave until May").exists()


def test_only_the_receiver_accepts_or_declines_and_only_the_sender_cancels(ae, ian, account, csm):
    handoff = start(ae, account, ian)
    with pytest.raises(PermissionDenied):
        services.handoff_accept(actor=ae, handoff=handoff)
    with pytest.raises(PermissionDenied):
        services.handoff_decline(actor=csm, handoff=handoff, reason="no")
    with pytest.raises(PermissionDenied):
        services.handoff_cancel(actor=ian, handoff=handoff)
    services.handoff_cancel(actor=ae, handoff=handoff)
    assert Handoff.objects.get(pk=handoff.pk).status == "cancelled"
    with pytest.raises(Conflict):
        services.handoff_cancel(actor=ae, handoff=handoff)


def test_a_second_open_handoff_for_the_same_account_and_role_is_refused(ae, ian, account):
    start(ae, account, ian)
    other = UserFactory(full_name="Ivy Implementation", roles=["implementation"])
    with pytest.raises(Conflict) as error:
        start(ae, account, other)
    assert "already has an open handoff" in error.value.message
    assert Handoff.objects.count() == 1


def test_after_a_decline_a_new_handoff_may_start(ae, ian, account):
    services.handoff_decline(actor=ian, handoff=start(ae, account, ian), reason="busy")
    assert start(ae, account, ian).status == "pending"


def test_the_receiver_must_hold_the_role_and_the_sender_must_change_the_account(ae, ian, account, csm, am):
    with pytest.raises(ValidationFailed) as error:
        services.handoff_start(actor=ae, account=account, to_user=csm, to_role_code="implementation",
                               from_role_code="ae")
    assert error.value.errors["to_user"] == ["Carla CSM does not hold the role Implementation specialist."]
    with pytest.raises(PermissionDenied):
        start(ae, AccountFactory(owner=am), ian)
    with pytest.raises(ValidationFailed) as error:
        services.handoff_start(actor=ae, account=account, to_user=ian, to_role_code="astronaut",
                               from_role_code="am")
    assert set(error.value.errors) == {"from_role", "to_role"}
    assert not Handoff.objects.exists()


def test_visibility_the_two_people_and_their_manager_but_not_others(ae, ian, account, manager, csm):
    from tandem.identity.models import Team

    handoff = start(ae, account, ian)
    team = Team.objects.create(name="Delivery", manager=manager)
    team.members.add(ian)
    assert selectors.handoff_get(actor=ian, public_id=handoff.public_id) == handoff
    assert selectors.handoff_get(actor=manager, public_id=handoff.public_id) == handoff
    assert not selectors.handoff_list(actor=csm).exists()
    assert logged_in(csm).get(f"/handoffs/{handoff.public_id}/").status_code == 404


def test_open_handoffs_card_for_both_people(ae, ian, account):
    start(ae, account, ian)
    for person in (ae, ian):
        cards = {card.key: card for card in home_cards_for(actor=person)}
        assert [h.account.name for h in cards["open_handoffs"].context["handoffs"]] == ["Contoso"]


def test_the_handoff_pages_start_tick_accept(ae, ian, account):
    template = HandoffTemplate.objects.get(from_role__code="ae", to_role__code="implementation")
    sender = logged_in(ae)
    assert b"Hand this account to a colleague" in sender.get(f"/accounts/{account.public_id}/").content
    response = sender.post(f"/handoffs/start/{account.public_id}/", {
        "transition": template.public_id, "to_user": ian.public_id, "note": "Welcome", "assign_seat": "on"})
    handoff = Handoff.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/handoffs/{handoff.public_id}/"
    receiver = logged_in(ian)
    assert b"Open handoffs" in receiver.get("/").content
    receiver.post(f"/handoffs/{handoff.public_id}/checklist/", {"done": ["0", "1", "2", "3"]})
    assert Handoff.objects.get().checklist_done == 4
    declined = receiver.post(f"/handoffs/{handoff.public_id}/decline/", {"reason": ""})
    assert declined.status_code == 422
    receiver.post(f"/handoffs/{handoff.public_id}/accept/")
    assert Handoff.objects.get().status == "accepted"
    assert AccountTeamMember.objects.get(account=account, role__code="implementation").user == ian


def test_an_administrator_edits_a_template_and_open_handoffs_keep_their_checklist(admin, ae, ian, account):
    handoff = start(ae, account, ian)
    template = HandoffTemplate.objects.get(from_role__code="ae", to_role__code="implementation")
    services.handoff_template_update(actor=admin, template=template, checklist=["Only this"])
    assert HandoffTemplate.objects.get(pk=template.pk).checklist == ["Only this"]
    assert len(Handoff.objects.get(pk=handoff.pk).checklist) == 4
    with pytest.raises(PermissionDenied):
        services.handoff_template_update(actor=ae, template=template, checklist=["x"])
    response = logged_in(admin).post(f"/admin/handoff-templates/{template.public_id}/", {
        "name": "AE to implementation", "checklist": "Goals\nContract", "is_active": "on"})
    assert response.status_code == 302
    assert HandoffTemplate.objects.get(pk=template.pk).checklist == ["Goals", "Contract"]


def test_a_new_template_pair_is_unique(admin):
    services.handoff_template_create(actor=admin, from_role_code="csm", to_role_code="am", checklist=["Upsell"])
    with pytest.raises(Conflict):
        services.handoff_template_create(actor=admin, from_role_code="csm", to_role_code="am", checklist=["x"])
    with pytest.raises(ValidationFailed) as error:
        services.handoff_template_create(actor=admin, from_role_code="am", to_role_code="csm", checklist=[])
    assert list(error.value.errors) == ["checklist"]


def test_team_assign_uses_the_seat_of_the_csm_too(am, csm):
    account = AccountFactory(owner=am)
    assign(account, csm, "csm")
    renewal = UserFactory(full_name="Rick Renewal", roles=["renewal"])
    handoff = services.handoff_start(actor=am, account=account, to_user=renewal, to_role_code="renewal",
                                     from_role_code="am")
    services.handoff_tick(actor=renewal, handoff=handoff, items=dict.fromkeys(range(4), True))
    services.handoff_accept(actor=renewal, handoff=handoff)
    assert set(AccountTeamMember.objects.filter(account=account).values_list("role__code", flat=True)) == {
        "csm", "renewal"}
