import datetime

from tandem.notifications.logic import (
    DigestItem,
    absolute_url,
    digest_sections,
    digest_text,
    error_text,
    masked_url,
    retry_delay,
    webhook_url_problem,
)


def test_retries_back_off_exponentially_up_to_six_hours():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert retry_delay(30) == datetime.timedelta(hours=6)
    assert retry_delay(1000) == datetime.timedelta(hours=6)


def test_only_absolute_http_and_https_urls_are_webhooks():
    assert webhook_url_problem("https://hooks.slack.com/services/T/B/x") is None
    assert webhook_url_problem("http://127.0.0.1:8080/hook") is None
    assert webhook_url_problem("") == "empty"
    assert webhook_url_problem("ftp://example.com/x") == "scheme"
    assert webhook_url_problem("javascript:alert(1)") == "scheme"
    assert webhook_url_problem("https://") == "invalid"
    assert webhook_url_problem("https://example.com:99999/x") == "invalid"
    assert webhook_url_problem("https://exa mple.com/x") == "invalid"
    assert webhook_url_problem("https://example.com/" + "x" * 500) == "too_long"


def test_a_saved_webhook_shows_only_its_host_and_errors_never_repeat_a_url():
    assert masked_url("https://hooks.slack.com/services/T/B/secret") == "https://hooks.slack.com/…"
    assert "secret" not in error_text(RuntimeError("POST https://hooks.slack.com/services/T/B/secret failed"))


def test_the_digest_groups_items_by_kind_in_order_of_first_appearance():
    items = [DigestItem("mention", "Mentions", "A", "", "/a"), DigestItem("follow_activity", "Follows", "B", "", ""),
             DigestItem("mention", "Mentions", "C", "body", "/c")]
    sections = digest_sections(items)
    assert [(section.kind_label, [item.title for item in section.items]) for section in sections] == [
        ("Mentions", ["A", "C"]), ("Follows", ["B"])]
    text = digest_text(sections, heading="Digest", base_url="https://crm.example.com")
    assert "Mentions (2)" in text and "https://crm.example.com/c" in text and "  body" in text


def test_paths_become_absolute_urls():
    assert absolute_url("/accounts/x/", "https://crm.example.com/") == "https://crm.example.com/accounts/x/"
    assert absolute_url("https://elsewhere.test/x", "https://crm.example.com") == "https://elsewhere.test/x"
    assert absolute_url("", "https://crm.example.com") == ""
