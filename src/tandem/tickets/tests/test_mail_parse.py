"""Reading mail without a server: headers, threading ids, automatic mail, HTML, limits, broken input."""

from __future__ import annotations

from email.message import EmailMessage

from tandem.tickets import mailparse


def build(**headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = headers.pop("From", "Jane <jane@acme.example>")
    message["Subject"] = headers.pop("Subject", "Hello")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("Body")
    return message


def test_the_threading_ids_come_from_in_reply_to_then_the_references_newest_first():
    parsed = mailparse.parse(build(Message_ID="<3@x>", In_Reply_To="<2@x>", References="<1@x> <2@x>").as_bytes())
    assert parsed.message_id == "<3@x>" and parsed.thread_ids == ("<2@x>", "<1@x>")
    assert (parsed.from_address, parsed.from_name) == ("jane@acme.example", "Jane")


def test_a_missing_message_id_is_a_stable_hash_of_the_bytes():
    raw = build().as_bytes()
    assert mailparse.parse(raw).message_id == mailparse.parse(raw).message_id
    assert not mailparse.parse(raw).has_message_id
    assert mailparse.parse(raw + b"x").message_id != mailparse.parse(raw).message_id


def test_auto_submitted_no_is_a_person_every_other_value_is_automatic():
    assert mailparse.parse(build(Auto_Submitted="no").as_bytes()).auto_reason == ""
    assert mailparse.parse(build(Auto_Submitted="auto-generated").as_bytes()).auto_reason
    assert mailparse.parse(build(Precedence="list").as_bytes()).auto_reason
    assert mailparse.parse(build(From="MAILER-DAEMON@mx.example").as_bytes()).auto_reason
    own = mailparse.Limits(own_addresses=frozenset({"support@tandem.example"}))
    assert "loop" in mailparse.parse(build(From="Support@Tandem.example").as_bytes(), own).auto_reason


def test_html_is_sanitized_and_turned_into_text():
    markup = "<div>Hi<br>there</div><script>evil()</script><style>p{}</style><p>a &amp; b</p>"
    assert "<script" not in mailparse.sanitize_html(markup)
    assert mailparse.html_to_text(markup) == "Hi\nthere\na & b"


def test_limits_shorten_the_text_and_drop_attachments_with_notes():
    message = build()
    message.set_content("a" * 1000)
    message.add_attachment(b"1234567890" * 20, maintype="text", subtype="plain", filename="big.txt")
    message.add_attachment(b"ok", maintype="text", subtype="plain", filename="ok.txt")
    parsed = mailparse.parse(message.as_bytes(), mailparse.Limits(max_text=500, max_attachment_bytes=100,
                                                                  allowed_suffixes=frozenset({".txt"})))
    assert len(parsed.text) <= 500 and [item.name for item in parsed.attachments] == ["ok.txt"]
    body = mailparse.body_with_notes(parsed)
    assert "Shortened" in body and "big.txt dropped" in body


def test_broken_input_never_raises():
    for raw in (b"", b"\xff\xfe\x00", b"Subject: =?utf-8?q?broken\r\n\r\nx", b"From: <<<>>>\r\n\r\n",
                b"Content-Type: multipart/mixed\r\n\r\n--\r\n", b"Content-Transfer-Encoding: base64\r\n\r\n@@@"):
        parsed = mailparse.parse(raw)
        assert parsed.message_id.startswith("<sha256-")


def test_reply_prefixes_are_stripped_for_a_follow_up_subject():
    assert mailparse.strip_reply_prefixes("Re: AW: Fwd: Help") == "Help"


def test_setup_and_billing_mail_is_recognised_and_anything_else_is_a_question():
    assert mailparse.guess_category("How do I configure SSO?") == "product_setup"
    assert mailparse.guess_category("Help", "We are setting up the integration") == "product_setup"
    assert mailparse.guess_category("Wrong invoice") == "billing"
    assert mailparse.guess_category("Cannot log in", "It says error 500") == "question"
