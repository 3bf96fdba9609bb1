"""Pure helpers: markdown sanitising and .eml parsing, without a database."""

from __future__ import annotations

import pytest

from tandem.timeline.logic import EmailParseError, parse_email, render_markdown
from tandem.timeline.tests.factories import eml


def test_markdown_becomes_formatted_html():
    assert render_markdown("**bold** and *italic*") == "<p><strong>bold</strong> and <em>italic</em></p>"


def test_a_script_tag_does_not_survive():
    html = render_markdown("Hi <script>alert(1)</script> there")
    assert "<script" not in html and "alert(1)" not in html


def test_an_onerror_attribute_does_not_survive():
    html = render_markdown('<img src="x" onerror="alert(1)"> and [link](javascript:alert(2))')
    assert "onerror" not in html and "<img" not in html and "javascript:" not in html


def test_links_open_without_the_pages_rights():
    assert 'rel="noopener noreferrer nofollow"' in render_markdown("[docs](https://example.test/)")


def test_an_empty_body_renders_nothing():
    assert render_markdown("   ") == ""


def test_an_eml_is_parsed_into_its_facts():
    parsed = parse_email(eml(attachment=("offer.pdf", b"%PDF-1.4 test")))
    assert parsed.subject == "Renewal question"
    assert parsed.sender == "jane@contoso.example"
    assert parsed.recipients == ("carla@example.test",)
    assert parsed.sent_at is not None and parsed.sent_at.isoformat() == "2026-11-03T09:30:00+01:00"
    assert parsed.message_id == "<m1@contoso.example>"
    assert "can we talk about the **renewal**?" in parsed.text
    assert [(a.name, a.data) for a in parsed.attachments] == [("offer.pdf", b"%PDF-1.4 test")]


def test_an_html_only_email_keeps_its_text():
    data = (b"From: a@b.example\r\nSubject: Hi\r\nContent-Type: text/html\r\n\r\n"
            b"<p>Hello <b>there</b></p><script>x()</script>")
    parsed = parse_email(data)
    assert parsed.text.startswith("Hello there")


@pytest.mark.parametrize("data", [b"", b"   ", b"\x00\x01\x02 binary garbage", b"just some words\nno headers"])
def test_garbage_is_not_an_email(data):
    with pytest.raises(EmailParseError):
        parse_email(data)
