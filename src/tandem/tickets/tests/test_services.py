"""Ticket services with real data: intake, routing, escalation, the CSM and AM hooks, replies, notes with
mentions, SLA bookkeeping with a controlled clock, the breach job, satisfaction, bulk actions, access."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tandem.accounts.choices import Tier as AccountTier
from tandem.audit.models import AuditEntry
from tandem.contacts.models import Contact
from tandem.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from tandem.core.testing.factories import AccountFactory, UserFactory, assign
from tandem.notifications.models import Notification
from tandem.tickets import config, selectors, services
from tandem.tickets.models import BusinessHours, RoutingRule, SlaAlert, Ticket, TicketGroup
from tandem.timeline.models import Activity

MONDAY_9 = datetime.datetime(2025, 4, 14, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def agent(db):
    return UserFactory(email="tina@example.test", full_name="Tina Tier1", roles=["support_tier1"])


@pytest.fixture
def agent2(db):
    return UserFactory(email="theo@example.test", full_name="Theo Tier2", roles=["support_tier2"])


@pytest.fixture
def account(am, csm):
    account = AccountFactory(name="Acme GmbH", tier=AccountTier.MID_TOUCH, owner=am)
    assign(account, am, "am")
    assign(account, csm, "csm")
    return account


def test_a_ticket_from_an_email_address_finds_the_contact_and_its_account(agent, account):
    contact = Contact.objects.create(account=account, first_name="Jane", last_name="Doe", email="jane@acme.example")
    ticket = services.ticket_create(actor=agent, subject="Cannot log in", requester_email="JANE@acme.example",
                                    channel="email")
    assert (ticket.requester, ticket.account, ticket.tier, ticket.status) == (contact, account, 1, "new")
    assert ticket.reference == f"T-{10000 + ticket.pk}" and ticket.group.name == "Tier 1 support"
    assert ticket.sla_policy.priority == "normal" and ticket.first_response_due_at is not None
    activity = Activity.objects.get(account=account)
    assert activity.type == "ticket_event" and activity.payload["event"] == "ticket_created"
    assert list(activity.contacts.all()) == [contact]


def test_routing_rules_send_bugs_to_tier_2_and_keywords_to_a_person(agent, agent2, account, admin):
    bug = services.ticket_create(actor=agent, subject="Crash", category="bug", account=account)
    assert bug.tier == 2 and bug.group.name == "Tier 2 support"
    config.routing_rule_create(actor=admin, name="SSO to Theo", position=1, keywords=["sso"], assignee=agent2,
                               tier=2)
    sso = services.ticket_create(actor=agent, subject="Our SSO login fails", account=account)
    assert (sso.tier, sso.assignee) == (2, agent2)
    assert Notification.objects.filter(recipient=agent2, kind="ticket_assigned").count() == 1
    plain = services.ticket_create(actor=agent, subject="How do I export?", account=account, channel="chat")
    assert (plain.tier, plain.assignee, plain.routing_rule) == (1, None, None)


def test_a_setup_question_notifies_the_csm_and_is_handed_over_in_one_click(agent, account, csm):
    ticket = services.ticket_create(actor=agent, subject="How to configure SSO?", category="product_setup",
                                    account=account)
    assert Notification.objects.filter(recipient=csm, kind="ticket_account_question").count() == 1
    services.ticket_hand_to_csm(actor=agent, ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.assignee == csm and ticket.events.filter(kind="handed_to_csm").exists()
    assert Notification.objects.filter(recipient=csm, kind="ticket_assigned").count() == 1


def test_a_billing_question_notifies_the_am(agent, account, am, csm):
    services.ticket_create(actor=agent, subject="Invoice wrong", category="billing", account=account)
    assert Notification.objects.filter(recipient=am, kind="ticket_account_question").count() == 1
    assert not Notification.objects.filter(recipient=csm).exists()


def test_escalation_needs_a_reason_and_lands_on_history_audit_and_timeline(agent, agent2, account):
    ticket = services.ticket_create(actor=agent, subject="API returns 500", account=account)
    with pytest.raises(ValidationFailed) as error:
        services.ticket_escalate(actor=agent, ticket=ticket, reason="  ")
    assert "reason" in error.value.errors
    ticket.refresh_from_db()
    assert ticket.tier == 1
    services.ticket_escalate(actor=agent, ticket=ticket, reason="Reproducible server error")
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.group.name, ticket.status) == (2, "Tier 2 support", "open")
    assert ticket.events.get(kind="escalated").payload["reason"] == "Reproducible server error"
    assert AuditEntry.objects.filter(summary__startswith="Escalated to tier 2: Reproducible").exists()
    assert Activity.objects.filter(account=account, payload__event="ticket_escalated").exists()
    with pytest.raises(Conflict):
        services.ticket_escalate(actor=agent, ticket=ticket, reason="again")


def test_the_first_reply_stops_the_first_response_clock_in_business_minutes(agent, account):
    ticket = services.ticket_create(actor=agent, subject="Question", account=account, now=MONDAY_9)
    services.ticket_reply(actor=agent, ticket=ticket, body="Hello!", now=MONDAY_9 + datetime.timedelta(minutes=45))
    ticket.refresh_from_db()
    assert (ticket.status, ticket.first_response_minutes, ticket.first_response_met) == ("open", 45, True)
    assert ticket.first_response_due_at is None
    assert ticket.messages.get().message_id.startswith(f"<ticket-{ticket.mail_token}.")


def test_pending_customer_pauses_the_clock_and_a_customer_answer_resumes_it(agent, account):
    ticket = services.ticket_create(actor=agent, subject="Question", account=account, now=MONDAY_9)
    services.ticket_reply(actor=agent, ticket=ticket, body="Which version?", status="pending_customer",
                          now=MONDAY_9 + datetime.timedelta(minutes=30))
    ticket.refresh_from_db()
    assert ticket.status == "pending_customer" and ticket.resolution_due_at is None
    timers = selectors.ticket_timers(ticket=ticket, now=MONDAY_9 + datetime.timedelta(days=1))
    assert timers.resolution.paused and timers.resolution.elapsed_minutes == 30
    services.ticket_receive_reply(ticket=ticket, body="Version 3", author_email="jane@acme.example",
                                  message_id="<abc@acme.example>", now=MONDAY_9 + datetime.timedelta(days=1))
    ticket.refresh_from_db()
    # normal priority: 2,400 business minutes; 30 used Monday; Tuesday 09:00 resumes with 2,370 left (8 h a day)
    assert ticket.status == "open"
    assert ticket.resolution_due_at == datetime.datetime(2025, 4, 21, 16, 30, tzinfo=datetime.UTC)
    again = services.ticket_receive_reply(ticket=ticket, body="Version 3", message_id="<abc@acme.example>")
    assert again is None and ticket.messages.filter(direction="inbound").count() == 1


def test_solving_records_the_resolution_and_puts_it_on_the_timeline(agent, account):
    ticket = services.ticket_create(actor=agent, subject="Question", account=account, now=MONDAY_9)
    services.ticket_set_status(actor=agent, ticket=ticket, status="solved",
                               now=MONDAY_9 + datetime.timedelta(hours=3))
    ticket.refresh_from_db()
    assert (ticket.resolution_minutes, ticket.resolution_met, ticket.queue_due_at.year) == (180, True, 9999)
    assert Activity.objects.filter(account=account, payload__event="ticket_solved").exists()
    services.ticket_rate(actor=agent, ticket=ticket, rating=5, comment="Fast!")
    ticket.refresh_from_db()
    assert ticket.satisfaction_rating == 5


def test_satisfaction_is_only_for_solved_tickets_and_from_1_to_5(agent, account):
    ticket = services.ticket_create(actor=agent, subject="Question", account=account)
    with pytest.raises(ValidationFailed) as error:
        services.ticket_rate(actor=agent, ticket=ticket, rating=6)
    assert set(error.value.errors) == {"status", "rating"}


def test_a_note_notifies_the_people_it_mentions_and_refuses_those_who_cannot_see_it(agent, account, am, outsider):
    ticket = services.ticket_create(actor=agent, subject="Question", account=account)
    note = services.ticket_note(actor=agent, ticket=ticket, body=f"@[Adam AM]({am.public_id}) can you call them?")
    assert list(note.mentions.all()) == [am] and "<strong>@Adam AM</strong>" in note.body_html
    assert Notification.objects.filter(recipient=am, kind="mention").count() == 1
    with pytest.raises(ValidationFailed):
        services.ticket_note(actor=agent, ticket=ticket, body=f"@[Otto]({outsider.public_id}) look")
    assert ticket.messages.count() == 1


def test_attachments_are_checked_like_every_upload_and_all_or_nothing(agent, account):
    ticket = services.ticket_create(actor=agent, subject="Question", account=account)
    good = SimpleUploadedFile("log.txt", b"error at line 3", content_type="text/plain")
    bad = SimpleUploadedFile("tool.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    with pytest.raises(ValidationFailed):
        services.ticket_reply(actor=agent, ticket=ticket, body="See attached", uploads=[good, bad])
    assert not ticket.messages.exists() and not ticket.attachments.exists()
    good.seek(0)
    message = services.ticket_reply(actor=agent, ticket=ticket, body="See attached", uploads=[good])
    assert [item.name for item in message.attachments.all()] == ["log.txt"]


def test_the_breach_job_warns_once_before_and_notifies_once_at_the_breach(agent, account):
    ticket = services.ticket_create(actor=agent, subject="Urgent", account=account, priority="urgent",
                                    now=MONDAY_9)
    services.ticket_assign(actor=agent, ticket=ticket, assignee=agent, now=MONDAY_9)
    ticket.refresh_from_db()
    assert ticket.first_response_due_at == MONDAY_9 + datetime.timedelta(minutes=60)
    assert services.sla_alerts_send(now=MONDAY_9 + datetime.timedelta(minutes=10)) == 0
    assert services.sla_alerts_send(now=MONDAY_9 + datetime.timedelta(minutes=35)) == 1
    assert services.sla_alerts_send(now=MONDAY_9 + datetime.timedelta(minutes=40)) == 0
    assert services.sla_alerts_send(now=MONDAY_9 + datetime.timedelta(minutes=61)) == 1
    assert services.sla_alerts_send(now=MONDAY_9 + datetime.timedelta(minutes=62)) == 0
    assert set(SlaAlert.objects.values_list("metric", "kind")) == {("first_response", "warning"),
                                                                   ("first_response", "breach")}
    assert Notification.objects.filter(recipient=agent, kind="ticket_sla").count() == 2


def test_the_queue_sorts_by_the_next_deadline_and_about_to_breach_lists_only_those_near(agent, account):
    later = services.ticket_create(actor=agent, subject="Low", account=account, priority="low", now=MONDAY_9)
    sooner = services.ticket_create(actor=agent, subject="Urgent", account=account, priority="urgent", now=MONDAY_9)
    queue = selectors.ticket_list(actor=agent, filters=selectors.queue_filters(queue="tier1")).order_by(
        *selectors.QUEUE_ORDERING)
    assert list(queue) == [sooner, later]
    breaching = selectors.ticket_list(actor=agent, filters=selectors.queue_filters(queue="breaching"),
                                      now=MONDAY_9 + datetime.timedelta(minutes=40))
    assert list(breaching) == [sooner]


def test_bulk_changes_all_or_nothing(agent, account, am):
    first = services.ticket_create(actor=agent, subject="One", account=account)
    other = services.ticket_create(actor=agent, subject="Two", account=AccountFactory())
    with pytest.raises(ValidationFailed):
        services.ticket_bulk_update(actor=am, public_ids=[first.public_id, other.public_id], priority="high")
    first.refresh_from_db()
    assert first.priority == "normal"
    changed = services.ticket_bulk_update(actor=agent, public_ids=[first.public_id, other.public_id],
                                          assignee=agent, priority="high", status="on_hold")
    assert {(ticket.assignee, ticket.priority, ticket.status) for ticket in changed} == {(agent, "high", "on_hold")}


def test_the_account_team_sees_their_tickets_and_outsiders_see_nothing(agent, account, am, csm, outsider, viewer):
    ticket = services.ticket_create(actor=agent, subject="Question", account=account)
    foreign = services.ticket_create(actor=agent, subject="Elsewhere", account=AccountFactory())
    assert set(selectors.ticket_list(actor=am)) == {ticket}
    assert set(selectors.ticket_list(actor=csm)) == {ticket}
    assert set(selectors.ticket_list(actor=agent)) == {ticket, foreign}
    with pytest.raises(NotFound):
        selectors.ticket_get(actor=outsider, public_id=ticket.public_id)
    assert selectors.ticket_get(actor=viewer, public_id=ticket.reference) == ticket
    with pytest.raises(PermissionDenied):
        services.ticket_reply(actor=viewer, ticket=ticket, body="Hi")
    with pytest.raises(PermissionDenied):
        services.ticket_create(actor=viewer, subject="No")
    assert Ticket.objects.count() == 2


def test_configuration_needs_the_right_and_is_validated(admin, agent):
    with pytest.raises(PermissionDenied):
        config.routing_rule_create(actor=agent, name="x", tier=2)
    with pytest.raises(ValidationFailed) as error:
        config.routing_rule_create(actor=admin, name="x", channels=["fax"])
    assert set(error.value.errors) == {"channels", "group"}
    with pytest.raises(ValidationFailed):
        config.business_hours_create(actor=admin, name="Night", windows=[[0, "22:00", "06:00"]])
    hours = config.business_hours_create(actor=admin, name="Berlin", time_zone="Europe/Berlin",
                                         windows=[[0, "09:00", "17:00"]],
                                         holidays=[(datetime.date(2025, 12, 25), "Christmas")], is_default=True)
    assert BusinessHours.objects.get(is_default=True) == hours and hours.holidays.count() == 1
    with pytest.raises(ValidationFailed):
        config.sla_policy_create(actor=admin, priority="urgent", first_response_minutes=10, resolution_minutes=20)
    assert RoutingRule.objects.count() == 1 and TicketGroup.objects.count() == 2


def test_ticket_load_counts_and_weighs_tickets_per_account_and_month(agent, account):
    other = AccountFactory()
    services.ticket_create(actor=agent, subject="a", account=account, priority="urgent", now=MONDAY_9)
    services.ticket_create(actor=agent, subject="b", account=account, priority="low", now=MONDAY_9)
    services.ticket_create(actor=agent, subject="c", account=account, priority="normal",
                           now=MONDAY_9 + datetime.timedelta(days=30))
    services.ticket_create(actor=agent, subject="d", account=other, priority="high", now=MONDAY_9)
    rows = selectors.ticket_load(account_ids=[account.pk, other.pk], start=MONDAY_9 - datetime.timedelta(days=1),
                                 end=MONDAY_9 + datetime.timedelta(days=60))
    assert [(row.account_id, row.period_start.isoformat(), row.count, row.weighted) for row in rows] == [
        (account.pk, "2025-04-01", 2, 6), (account.pk, "2025-05-01", 1, 2), (other.pk, "2025-04-01", 1, 3)]


def test_the_report_computes_times_attainment_volume_and_backlog(agent, account):
    for minutes in (30, 60, 120, 600):
        ticket = services.ticket_create(actor=agent, subject=f"t{minutes}", account=account, priority="high",
                                        channel="chat", now=MONDAY_9)
        services.ticket_reply(actor=agent, ticket=ticket, body="On it", status="solved",
                              now=MONDAY_9 + datetime.timedelta(minutes=minutes))
    services.ticket_create(actor=agent, subject="open", account=account, category="bug", now=MONDAY_9)
    report = selectors.ticket_report(actor=agent, start=MONDAY_9 - datetime.timedelta(hours=1),
                                     end=MONDAY_9 + datetime.timedelta(hours=1))
    assert report.total == 5 and report.by_channel == {"chat": 4, "phone": 1} and report.by_tier == {1: 4, 2: 1}
    # 600 wall-clock minutes from Monday 09:00 end at 19:00, after the 17:00 close: 480 business minutes
    assert (report.first_response.median, report.first_response.p90) == (60, 480)
    # the high-priority first-response target is 120 minutes: 30, 60 and 120 are met, 480 is not
    assert report.first_response_attainment == 0.75
    assert report.backlog == 1 and report.backlog_by_status == {"new": 1}
