"""Support mail against a real IMAP server (a private Dovecot the tests start) and a real SMTP sink: intake,
threading, duplicates, automatic mail, sanitizing, unknown senders, the server going down, a worker killed with
kill -9 mid-run, and replies mailed with the right headers."""

from __future__ import annotations

import email
import logging
import os
import signal
import subprocess
import sys
import time
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from django.db import connection

from tandem.contacts.models import Contact
from tandem.core.testing.factories import AccountFactory, UserFactory, assign
from tandem.tickets import imap, inbound, mail_command, mail_jobs, outbound, services
from tandem.tickets.mail_models import InboundMail, Mailbox, OutboundMail
from tandem.tickets.models import Ticket, TicketMessage
from tandem.tickets.tests.mailserver import PASSWORD

TANDEM = str(Path(sys.executable).with_name("tandem"))


def mail(*, sender: str = "Jane Doe <jane@acme.example>", subject: str = "Cannot log in", body: str = "Help me.",
         message_id: str | None = "<m1@acme.example>", headers: dict[str, str] | None = None,
         html: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@tandem.example"
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message.as_bytes()


@pytest.fixture
def agent(db):
    return UserFactory(email="tina@example.test", full_name="Tina Tier1", roles=["support_tier1"])


@pytest.fixture
def jane(db, am, csm):
    account = AccountFactory(name="Acme GmbH", owner=am)
    assign(account, csm, "csm")
    return Contact.objects.create(account=account, first_name="Jane", last_name="Doe", email="jane@acme.example")


def fetch_and_process() -> None:
    assert mail_command.run(retries=1) == 0


def test_a_new_mail_becomes_an_email_ticket_of_the_contact_and_is_marked_seen(dovecot, jane):
    dovecot.append(mail())
    assert dovecot.unseen() == 1
    fetch_and_process()
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.channel, ticket.requester, ticket.account) == (
        "Cannot log in", "email", jane, jane.account)
    message = ticket.messages.get()
    assert (message.message_id, message.direction, message.body) == ("<m1@acme.example>", "inbound", "Help me.")
    row = InboundMail.objects.get()
    assert (row.status, row.ticket, row.uid) == ("processed", ticket, 1)
    assert dovecot.unseen() == 0  # marked \Seen only after the commit
    assert Mailbox.objects.get().last_uid == 1


def test_a_reply_threads_into_its_ticket_by_the_subject_tag_or_by_its_headers(dovecot, jane):
    dovecot.append(mail())
    fetch_and_process()
    ticket = Ticket.objects.get()
    dovecot.append(mail(subject=f"Re: Cannot log in {ticket.subject_tag}", body="Still broken.",
                        message_id="<m2@acme.example>"),
                   mail(subject="Re: Cannot log in", body="Tried again.", message_id="<m3@acme.example>",
                        headers={"In-Reply-To": "<m2@acme.example>", "References": "<m1@acme.example> "
                                                                                   "<m2@acme.example>"}))
    fetch_and_process()
    assert Ticket.objects.count() == 1
    assert list(ticket.messages.values_list("body", flat=True)) == ["Help me.", "Still broken.", "Tried again."]
    assert ticket.messages.get(message_id="<m3@acme.example>").references == "<m1@acme.example> <m2@acme.example>"


def test_the_same_message_fetched_twice_is_one_ticket_message(dovecot, jane):
    dovecot.append(mail(), mail())  # two copies: two UIDs, one Message-ID
    fetch_and_process()
    Mailbox.objects.update(last_uid=0, uidvalidity=None)  # forget the position: everything comes again
    fetch_and_process()
    Mailbox.objects.update(uidvalidity=12345)  # a new UIDVALIDITY: fetched again, skipped by Message-ID
    fetch_and_process()
    assert TicketMessage.objects.filter(message_id="<m1@acme.example>").count() == 1
    assert Ticket.objects.count() == 1 and InboundMail.objects.count() == 1


def test_mail_without_a_message_id_gets_a_stable_id_and_is_still_taken_once(dovecot, jane):
    raw = mail(message_id=None)
    dovecot.append(raw, raw)
    fetch_and_process()
    assert Ticket.objects.count() == 1
    assert Ticket.objects.get().messages.get().message_id.startswith("<sha256-")


@pytest.mark.parametrize("headers, reason", [
    ({"Auto-Submitted": "auto-replied"}, "Auto-Submitted"),
    ({"Precedence": "bulk"}, "Precedence"),
    ({"Precedence": "junk"}, "Precedence"),
    ({"X-Autoreply": "yes"}, "X-Autoreply"),
    ({"X-Auto-Response-Suppress": "All"}, "X-Auto-Response-Suppress"),
])
def test_auto_replies_are_recorded_as_ignored_with_the_reason_and_open_no_ticket(dovecot, jane, headers, reason):
    dovecot.append(mail(subject="Out of office", headers=headers))
    fetch_and_process()
    row = InboundMail.objects.get()
    assert row.status == "ignored" and reason in row.reason
    assert not Ticket.objects.exists()


def test_auto_submitted_no_is_a_person_and_our_own_address_is_a_loop(dovecot, jane, settings):
    settings.SUPPORT_EMAIL = "Support <support@tandem.example>"
    dovecot.append(mail(headers={"Auto-Submitted": "no"}),
                   mail(sender="support@tandem.example", message_id="<loop@tandem.example>"))
    fetch_and_process()
    assert Ticket.objects.count() == 1
    assert "loop" in InboundMail.objects.get(message_id="<loop@tandem.example>").reason


def test_a_sender_over_the_hourly_cap_opens_no_more_tickets(dovecot, jane, settings):
    settings.SUPPORT_MAIL_PER_SENDER_HOUR = 3
    dovecot.append(*[mail(subject=f"Storm {n}", message_id=f"<storm{n}@acme.example>") for n in range(6)])
    fetch_and_process()
    assert Ticket.objects.count() == 3
    ignored = InboundMail.objects.filter(status="ignored")
    assert ignored.count() == 3 and all("rate cap" in row.reason for row in ignored)


def test_html_mail_is_sanitized_and_a_plain_text_version_kept(dovecot, jane):
    html = ("<p>Hello <b>team</b></p><script>alert('x')</script>"
            "<p><a href=\"javascript:alert(1)\" onclick=\"steal()\">click</a></p>")
    message = EmailMessage()
    message["From"], message["Subject"], message["Message-ID"] = "jane@acme.example", "HTML only", "<h1@acme.example>"
    message.set_content(html, subtype="html")
    dovecot.append(message.as_bytes())
    fetch_and_process()
    ticket = Ticket.objects.get()
    assert "alert" not in ticket.description and "Hello team" in ticket.description
    row = InboundMail.objects.get()
    assert "<script" not in row.body_html and "onclick" not in row.body_html and "javascript:" not in row.body_html
    assert "<b>team</b>" in row.body_html


def test_unknown_senders_get_a_contact_when_so_configured(dovecot, settings, db):
    settings.SUPPORT_UNKNOWN_SENDERS = "create"
    dovecot.append(mail(sender="Neil New <neil@newco.example>", message_id="<n1@newco.example>"))
    fetch_and_process()
    ticket = Ticket.objects.get()
    assert (ticket.requester.email, ticket.requester.first_name, ticket.requester.last_name) == (
        "neil@newco.example", "Neil", "New")


def test_unknown_senders_are_held_for_review_and_accepted_or_discarded_on_the_review_page(dovecot, settings,
                                                                                          agent, client):
    settings.SUPPORT_UNKNOWN_SENDERS = "hold"
    dovecot.append(mail(sender="Neil <neil@newco.example>", message_id="<n1@newco.example>"),
                   mail(sender="spam@spam.example", subject="Cheap watches", message_id="<s1@spam.example>"))
    fetch_and_process()
    assert not Ticket.objects.exists() and InboundMail.objects.filter(status="held").count() == 2
    client.force_login(agent)
    page = client.get("/tickets/mail/held/")
    assert page.status_code == 200 and b"Cheap watches" in page.content
    held = {row.from_address: row for row in InboundMail.objects.all()}
    client.post(f"/tickets/mail/held/{held['neil@newco.example'].pk}/accept/")
    client.post(f"/tickets/mail/held/{held['spam@spam.example'].pk}/discard/")
    ticket = Ticket.objects.get()
    assert ticket.requester.email == "neil@newco.example" and ticket.channel == "email"
    assert InboundMail.objects.get(from_address="spam@spam.example").status == "discarded"
    assert client.post(f"/tickets/mail/held/{held['neil@newco.example'].pk}/accept/").status_code == 302
    assert Ticket.objects.count() == 1  # accepting again does nothing


def test_people_without_ticket_rights_cannot_see_held_mail(client, viewer, outsider):
    client.force_login(outsider)
    assert client.get("/tickets/mail/held/").status_code == 404


def test_a_huge_message_is_taken_from_its_headers_with_a_note(dovecot, jane, settings):
    settings.SUPPORT_MAIL_MAX_BYTES = 5_000
    dovecot.append(mail(body="x" * 20_000))
    fetch_and_process()
    ticket = Ticket.objects.get()
    assert "only its headers were taken" in ticket.description and "xxxx" not in ticket.description


def test_a_long_body_is_shortened_and_big_or_forbidden_attachments_dropped_with_notes(dovecot, jane, settings):
    settings.FILE_MAX_BYTES = 1_000
    message = EmailMessage()
    message["From"], message["Subject"], message["Message-ID"] = "jane@acme.example", "Logs", "<big@acme.example>"
    message.set_content("line of log\n" * 10_000)
    message.add_attachment(b"small text", maintype="text", subtype="plain", filename="small.txt")
    message.add_attachment(b"y" * 5_000, maintype="text", subtype="plain", filename="big.txt")
    message.add_attachment(b"MZ\x90\x00", maintype="application", subtype="octet-stream", filename="virus.exe")
    dovecot.append(message.as_bytes())
    fetch_and_process()
    ticket = Ticket.objects.get()
    assert "Shortened" in ticket.description and len(ticket.description) <= services.MAX_BODY
    assert "big.txt dropped" in ticket.description and "virus.exe dropped" in ticket.description
    assert list(ticket.attachments.values_list("name", flat=True)) == ["small.txt"]


def test_malformed_mail_is_read_leniently_and_never_stops_the_fetch(dovecot, jane):
    bad_charset = (b"From: jane@acme.example\r\nSubject: =?x-unknown?Q?caf=E9?=\r\nMessage-ID: <c1@acme.example>\r\n"
                   b"Content-Type: text/plain; charset=x-unknown-charset\r\n\r\ncaf\xe9 au lait\r\n")
    broken_mime = (b"From: jane@acme.example\r\nSubject: Broken\r\nMessage-ID: <c2@acme.example>\r\n"
                   b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"missing\"\r\n\r\n"
                   b"no boundary ever comes\r\n")
    garbage = b"\x00\xff\xfe garbage without headers \x80\x81\r\n"
    dovecot.append(bad_charset, broken_mime, garbage, mail(message_id="<ok@acme.example>"))
    fetch_and_process()
    rows = {row.message_id: row for row in InboundMail.objects.all()}
    assert len(rows) == 4
    assert rows["<c1@acme.example>"].status == "processed"
    assert "caf" in Ticket.objects.get(inbound_mail=rows["<c1@acme.example>"]).description
    assert rows["<c2@acme.example>"].status == "processed"
    assert rows["<ok@acme.example>"].status == "processed"
    garbage_row = next(row for key, row in rows.items() if key.startswith("<sha256-"))
    assert garbage_row.status == "failed" and garbage_row.reason == "No sender address."


def test_imap_down_is_retried_with_one_clear_line_and_nothing_is_lost(dovecot, jane, caplog):
    dovecot.append(*[mail(subject=f"Down {n}", message_id=f"<d{n}@acme.example>") for n in range(3)])
    dovecot.stop()
    config = imap.configured()
    assert config is not None
    caplog.set_level(logging.WARNING, logger="tandem.tickets.mail")
    restarted = []

    def sleep(seconds: float) -> None:  # the server comes back while we wait
        dovecot.start()
        restarted.append(seconds)

    report = imap.fetch_with_retries(config, attempts=3, first_delay=0.01, sleep=sleep)
    assert restarted and report.stored == 3
    inbound.process_queued()
    assert Ticket.objects.count() == 3
    warnings = [record for record in caplog.records if record.name == "tandem.tickets.mail"]
    assert warnings and all(record.exc_info is None for record in warnings)
    assert all(PASSWORD not in record.getMessage() for record in warnings)
    assert "attempt 1 of 3" in warnings[0].getMessage() and "127.0.0.1" in warnings[0].getMessage()


def test_the_command_gives_up_after_its_retries_and_the_job_backs_off(dovecot, jane, capsys):
    dovecot.append(mail())
    dovecot.stop()
    assert mail_command.run(retries=2, retry_seconds=0.01) == 1
    err = capsys.readouterr().err
    assert "gave up after 2 attempts" in err and PASSWORD not in err and "Traceback" not in err
    state = Mailbox.objects.get()
    assert state.failures == 2 and state.next_attempt_at is not None and PASSWORD not in state.last_error
    dovecot.start()
    mail_jobs.fetch_mail_job()  # still backing off: nothing fetched yet
    assert not InboundMail.objects.exists()
    Mailbox.objects.update(next_attempt_at=None)
    mail_jobs.fetch_mail_job()
    assert Ticket.objects.count() == 1 and Mailbox.objects.get().failures == 0


def test_an_email_ticket_reply_is_mailed_with_the_tag_and_threading_headers_and_the_answer_threads_back(
        dovecot, smtp_sink, jane, agent, settings):
    settings.SUPPORT_EMAIL = "Acme Support <support@tandem.example>"
    dovecot.append(mail())
    fetch_and_process()
    ticket = Ticket.objects.get()
    reply = services.ticket_reply(actor=agent, ticket=ticket, body="Please reset your password.",
                                  status="pending_customer")
    row = OutboundMail.objects.get()
    assert (row.message, row.to_address, row.sent_at) == (reply, "jane@acme.example", None)
    assert outbound.send_due().sent == 1
    [envelope] = smtp_sink.messages
    sent = email.message_from_bytes(envelope.content, policy=default_policy)
    reply.refresh_from_db()
    assert envelope.rcpt_tos == ["jane@acme.example"]
    assert sent["From"] == "Acme Support <support@tandem.example>"
    assert sent["Subject"] == f"Re: Cannot log in {ticket.subject_tag}"
    assert sent["Message-ID"] == reply.message_id and reply.message_id.startswith(f"<ticket-{ticket.mail_token}.")
    assert sent["In-Reply-To"] == "<m1@acme.example>" and sent["References"] == "<m1@acme.example>"
    assert "Please reset your password." in sent.get_content()
    assert outbound.send_due().sent == 0  # sent once
    # the customer answers without the tag: the headers lead back, and the ticket waits no more
    dovecot.append(mail(subject="Re: Cannot log in", body="Done, thanks", message_id="<m9@acme.example>",
                        headers={"In-Reply-To": reply.message_id}))
    fetch_and_process()
    ticket.refresh_from_db()
    assert ticket.messages.count() == 3 and ticket.status == "open"


def test_a_reply_is_retried_while_the_smtp_server_is_down(jane, agent, settings, smtp_sink):
    ticket = services.ticket_create(actor=agent, subject="Mail me", requester=jane, channel="email")
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nobody listens
    services.ticket_reply(actor=agent, ticket=ticket, body="Answer")
    report = outbound.send_due()
    assert (report.sent, report.retrying) == (0, 1)
    row = OutboundMail.objects.get()
    assert row.attempts == 1 and row.last_error and row.sent_at is None
    settings.EMAIL_PORT = port
    OutboundMail.objects.update(next_attempt_at=row.created_at)
    mail_jobs.sweep_replies_job()
    assert len(smtp_sink.messages) == 1 and OutboundMail.objects.get().sent_at is not None


def test_phone_tickets_and_internal_notes_are_never_mailed(jane, agent):
    ticket = services.ticket_create(actor=agent, subject="Called", requester=jane, channel="phone")
    services.ticket_reply(actor=agent, ticket=ticket, body="Answered on the phone")
    mailed = services.ticket_create(actor=agent, subject="Mail", requester=jane, channel="email")
    services.ticket_note(actor=agent, ticket=mailed, body="internal")
    assert not OutboundMail.objects.exists()


def _tandem_env(tmp_path, url: str) -> dict[str, str]:
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        database = (f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD']}@"
                    f"{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}")
    else:
        database = f"sqlite:///{settings_dict['NAME']}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("TANDEM_")}
    env.update({"DATABASE_URL": database, "TANDEM_DATA_DIR": str(tmp_path), "TANDEM_SECRET_KEY": "mail-test-" * 6,
                "TANDEM_SUPPORT_IMAP_URL": url, "EMAIL_URL": "locmem://"})
    env.pop("REDIS_URL", None)
    return env


def test_kill_9_of_mail_fetch_mid_run_and_a_rerun_take_every_message_exactly_once(transactional_db, tmp_path):
    from tandem.core.testing.fixtures import reseed_if_flushed
    from tandem.tickets.tests.mailserver import Dovecot, require_dovecot

    require_dovecot()
    reseed_if_flushed()
    server = Dovecot()
    server.start()
    try:
        count = 300
        server.append(*[mail(sender=f"Person {n} <p{n}@crash.example>", subject=f"Crash {n}",
                             message_id=f"<crash{n}@crash.example>") for n in range(count)])
        env = _tandem_env(tmp_path, server.url)
        process = subprocess.Popen([TANDEM, "mail", "fetch"], env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if InboundMail.objects.filter(status="processed").count() >= 20:
                break
            time.sleep(0.05)
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        done = InboundMail.objects.filter(status="processed").count()
        assert 20 <= done < count  # killed mid-run
        rerun = subprocess.run([TANDEM, "mail", "fetch"], env=env, capture_output=True, text=True, timeout=300)
        assert rerun.returncode == 0, rerun.stderr
        ids = list(TicketMessage.objects.filter(message_id__startswith="<crash").values_list("message_id",
                                                                                                flat=True))
        assert len(ids) == len(set(ids)) == count
        assert Ticket.objects.count() == count and InboundMail.objects.count() == count
        assert not InboundMail.objects.exclude(status="processed").exists()
    finally:
        server.cleanup()


def test_without_a_mailbox_the_command_says_so_and_exits_2_but_still_processes_on_request(db, settings, capsys):
    settings.SUPPORT_IMAP_URL = ""
    assert mail_command.run() == 2
    assert "TANDEM_SUPPORT_IMAP_URL is not set" in capsys.readouterr().err
    inbound.store_message(raw=mail(sender="someone@else.example"))
    assert mail_command.run(fetch=False) == 0 and Ticket.objects.count() == 1


def test_the_mailbox_url_is_read_with_its_encoded_password_which_no_repr_shows():
    config = imap.parse_url("imaps://support%40acme.example:p%40ss%2Fword@imap.acme.example/Support%20Mail")
    assert (config.user, config.password, config.host, config.port, config.folder, config.secure) == (
        "support@acme.example", "p@ss/word", "imap.acme.example", 993, "Support Mail", True)
    assert "p@ss" not in repr(config) and "p@ss" not in config.display
    with pytest.raises(imap.MailFetchError):
        imap.parse_url("pop3://x@y")


def test_a_message_the_ticket_service_refuses_is_marked_failed_with_the_error_and_the_rest_go_on(db):
    inbound.store_message(raw=b"From: jane@-bad-.example\r\nSubject: Hi\r\nMessage-ID: <bad@x.example>\r\n\r\n"
                              b"Hello\r\n")
    inbound.store_message(raw=mail(sender="fine@x.example", message_id="<good@x.example>"))
    report = inbound.process_queued()
    assert (report.failed, report.processed) == (1, 1)
    bad = InboundMail.objects.get(message_id="<bad@x.example>")
    assert bad.status == "failed" and "ValidationFailed" in bad.reason and bad.attempts == 1
    assert Ticket.objects.get().requester_email == "fine@x.example"
    assert inbound.retry_failed() == 1 and InboundMail.objects.get(pk=bad.pk).status == "queued"
