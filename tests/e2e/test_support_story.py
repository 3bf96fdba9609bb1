"""Issue 6's "Done when" as one story in Chromium: a customer's setup question is APPENDed into a real IMAP box
(a private Dovecot), `tandem mail fetch` turns it into a ticket that shows in the tier 1 queue and notifies the
account's CSM; a tier 1 agent escalates it to tier 2 with a reason and replies in the browser, waiting for the
customer; the reply reaches a real SMTP sink (aiosmtpd) with the ticket tag and threading headers; the SLA timers
stand still while the ticket is pending the customer (a controlled clock: the SLA logic takes ``now``) and run
again once the customer's answer — threaded back by its headers — reopens the ticket."""

from __future__ import annotations

import datetime
import email
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tandem.contacts.models import Contact
from tandem.core.testing.factories import AccountFactory, UserFactory, assign
from tandem.notifications.models import Notification
from tandem.tickets import inbound, mail_command, outbound, selectors
from tandem.tickets.models import BusinessHours, Ticket
from tandem.tickets.tests.mailserver import dovecot, smtp_sink  # noqa: F401 - the real mail server fixtures
from tests.e2e.test_login import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def customer_mail(subject: str, body: str, message_id: str, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Jane Doe <jane@contoso.example>"
    message["To"] = "support@tandem.example"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def test_a_mailed_setup_question_is_queued_escalated_answered_by_mail_and_its_sla_pauses_for_the_customer(
        page, live_server, csm, am, password, settings, dovecot, smtp_sink, shot):  # noqa: F811
    settings.SUPPORT_EMAIL = "Contoso Support <support@tandem.example>"
    BusinessHours.objects.filter(is_default=True).update(  # round the clock, so wall-clock minutes are SLA minutes
        windows=[[day, "00:00", "24:00"] for day in range(7)])
    agent = UserFactory(email="tina@example.test", full_name="Tina Tier1", roles=["support_tier1"])
    UserFactory(email="theo@example.test", full_name="Theo Tier2", roles=["support_tier2"])
    account = AccountFactory(name="Contoso", owner=am)
    assign(account, csm, "csm")
    Contact.objects.create(account=account, first_name="Jane", last_name="Doe", email="jane@contoso.example")

    # 1. the customer's mail lands in the IMAP box and `tandem mail fetch` takes it ----------------------------
    dovecot.append(customer_mail("How do we configure SSO?", "We want SAML with Okta. Where do we start?",
                                 "<q1@contoso.example>"))
    assert mail_command.run(retries=1) == 0
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.category, ticket.tier, ticket.account) == ("email", "product_setup", 1, account)
    assert Notification.objects.filter(recipient=csm, kind="ticket_account_question").count() == 1

    # 2. the tier 1 agent sees it in the tier 1 queue ---------------------------------------------------------
    login(page, live_server, agent.email, password)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/tickets/?queue=tier1")
    row = page.locator(f"tr.ticket-row[data-ticket='{ticket.public_id}']")
    expect(row).to_contain_text(ticket.reference)
    expect(row).to_contain_text("How do we configure SSO?")
    shot(page, "support-tier1-queue")

    # 3. … escalates it to tier 2 with a reason -------------------------------------------------------------
    row.locator("a").first.click()
    page.wait_for_url(f"**/tickets/{ticket.public_id}/")
    page.fill("#ticket-escalate-reason", "Okta SAML needs an engineer")
    page.click("#ticket-escalate-form button[type=submit]")
    expect(page.locator("#ticket-tier")).to_have_text("Tier 2")
    ticket.refresh_from_db()
    assert ticket.tier == 2 and ticket.events.get(kind="escalated").payload["reason"] == "Okta SAML needs an engineer"

    # 4. … and replies, waiting for the customer: the SLA clock stops ---------------------------------------------
    page.fill("#ticket-reply-form textarea[name=body]", "Please send us your Okta metadata URL.")
    page.select_option("#ticket-reply-form select[name=status]", "pending_customer")
    page.click("#ticket-reply-form button[type=submit]")
    expect(page.locator("#ticket-status")).to_have_text("Pending customer")
    expect(page.locator("#sla-resolution")).to_contain_text("Paused")
    shot(page, "support-ticket-pending")

    # 5. the reply goes out by mail, to the SMTP sink --------------------------------------------------------------
    assert outbound.send_due().sent == 1
    [envelope] = smtp_sink.messages
    sent = email.message_from_bytes(envelope.content, policy=default_policy)
    reply = ticket.messages.get(direction="outbound")
    assert envelope.rcpt_tos == ["jane@contoso.example"]
    assert sent["From"] == "Contoso Support <support@tandem.example>"
    assert sent["Subject"] == f"Re: How do we configure SSO? {ticket.subject_tag}"
    assert (sent["Message-ID"], sent["In-Reply-To"]) == (reply.message_id, "<q1@contoso.example>")
    assert "Okta metadata URL" in sent.get_content()

    # 6. a controlled clock: nothing runs while the customer has the ball ------------------------------------------
    ticket.refresh_from_db()
    paused_at = ticket.intervals.get(ended_at__isnull=True).started_at
    one_hour, three_hours = (selectors.ticket_timers(ticket=ticket, now=paused_at + datetime.timedelta(hours=h))
                             for h in (1, 3))
    assert one_hour.resolution is not None and three_hours.resolution is not None
    assert one_hour.resolution.paused and three_hours.resolution.paused
    assert one_hour.resolution.remaining_minutes == three_hours.resolution.remaining_minutes
    assert ticket.resolution_due_at is None and ticket.queue_due_at.year == 9999  # out of the deadline order

    # 7. the customer answers (no tag: threaded by In-Reply-To) four hours later: the clock runs again --------------
    answered_at = paused_at + datetime.timedelta(hours=4)
    dovecot.append(customer_mail("Re: SSO", "Here it is: https://contoso.okta.example/metadata",
                                 "<q2@contoso.example>", In_Reply_To=reply.message_id))
    assert mail_command.run(retries=1, process=False) == 0
    inbound.process_queued(now=answered_at)
    ticket.refresh_from_db()
    assert ticket.status == "open" and ticket.messages.count() == 3
    later = selectors.ticket_timers(ticket=ticket, now=answered_at + datetime.timedelta(minutes=90))
    assert later.resolution is not None and not later.resolution.paused
    assert three_hours.resolution.remaining_minutes - later.resolution.remaining_minutes == 90
    assert ticket.resolution_due_at is not None and ticket.resolution_due_at > timezone.now()
    page.reload()
    expect(page.locator("#ticket-status")).to_have_text("Open")
    expect(page.locator("#ticket-thread")).to_be_visible()
    expect(page.locator("main")).to_contain_text("contoso.okta.example/metadata")
    shot(page, "support-ticket-answered")
