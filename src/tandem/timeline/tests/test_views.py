"""The timeline pages: the Account 360 section, the feeds (filters, children, load more), logging, .eml drops."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import get_template

from tandem.contacts.models import Contact
from tandem.core.testing.factories import AccountFactory, assign
from tandem.core.testing.fixtures import logged_in
from tandem.timeline.choices import ActivityType
from tandem.timeline.models import Activity
from tandem.timeline.tests.factories import activity_make, eml


@pytest.fixture
def account(csm):
    account = AccountFactory(name="Contoso")
    assign(account, csm, "csm")
    return account


def _subjects(html: str) -> list[str]:
    return re.findall(r'<strong class="activity-subject">([^<]*)</strong>', html)


def test_every_activity_type_has_a_template():
    for kind in ActivityType.values:
        assert get_template(f"timeline/kinds/{kind}.html")


def test_the_account_page_shows_the_timeline_newest_first(csm, account):
    activity_make(account=account, subject="Older", minutes_ago=10)
    activity_make(account=account, subject="Newer", minutes_ago=1)
    html = logged_in(csm).get(f"/accounts/{account.public_id}/").content.decode()
    assert 'id="account-timeline"' in html
    assert _subjects(html) == ["Newer", "Older"]


def test_a_csm_logs_a_call_with_the_short_form(csm, account):
    jane = Contact.objects.create(account=account, first_name="Jane", last_name="Doe")
    response = logged_in(csm).post(f"/timeline/accounts/{account.public_id}/log/", {
        "type": "call", "direction": "outbound", "occurred_at": "", "subject": "Renewal call",
        "body": "Talked about **seats**", "contacts": [jane.public_id]})
    assert response.status_code == 302 and response["Location"].endswith("#account-timeline")
    activity = Activity.objects.get()
    assert (activity.type, activity.subject, activity.created_by) == ("call", "Renewal call", csm)
    assert list(activity.contacts.all()) == [jane]


def test_an_empty_form_shows_the_error_and_writes_nothing(csm, account):
    response = logged_in(csm).post(f"/timeline/accounts/{account.public_id}/log/", {
        "type": "note", "direction": "none", "subject": "", "body": ""})
    assert response.status_code == 422
    assert "Give the activity a subject or a text." in response.content.decode()
    assert not Activity.objects.exists()


def test_an_unknown_type_in_the_form_is_a_clear_error(csm, account):
    response = logged_in(csm).post(f"/timeline/accounts/{account.public_id}/log/", {
        "type": "stage_change", "direction": "none", "subject": "x"})
    assert response.status_code == 422 and not Activity.objects.exists()


def test_a_csm_sees_only_timelines_of_their_accounts(csm, account):
    other = AccountFactory(name="Hidden Corp")
    activity_make(account=other, subject="Secret")
    client = logged_in(csm)
    assert client.get(f"/timeline/accounts/{other.public_id}/").status_code == 404
    assert client.post(f"/timeline/accounts/{other.public_id}/log/", {"type": "note", "subject": "x"}
                       ).status_code == 404
    secret = Activity.objects.get()
    assert client.get(f"/timeline/activities/{secret.public_id}/edit/").status_code == 404
    assert Activity.objects.count() == 1


def test_the_feed_loads_more_on_scroll_without_repeating(csm, account):
    for index in range(45):
        activity_make(account=account, subject=f"Call {index:02d}", minutes_ago=index)
    client = logged_in(csm)
    html = client.get(f"/timeline/accounts/{account.public_id}/", HTTP_HX_REQUEST="true").content.decode()
    seen = _subjects(html)
    for _page in range(5):
        more = re.search(r'hx-get="([^"]+)" hx-trigger="revealed"', html)
        if not more:
            break
        html = client.get(more.group(1).replace("&amp;", "&"), HTTP_HX_REQUEST="true").content.decode()
        assert "<ol" not in html  # only the next items and the next sentinel
        seen += _subjects(html)
    assert seen == [f"Call {index:02d}" for index in range(45)]


def test_the_feed_includes_child_accounts_when_switched_on(csm, account):
    child = AccountFactory(name="Contoso Japan", parent=account)
    assign(child, csm, "csm")
    hidden_child = AccountFactory(name="Contoso Secret", parent=account)
    activity_make(account=account, subject="Parent call", minutes_ago=3)
    activity_make(account=child, subject="Child call", minutes_ago=2)
    activity_make(account=hidden_child, subject="Hidden call", minutes_ago=1)
    client = logged_in(csm)
    url = f"/timeline/accounts/{account.public_id}/"
    assert _subjects(client.get(url, HTTP_HX_REQUEST="true").content.decode()) == ["Parent call"]
    html = client.get(url + "?children=1", HTTP_HX_REQUEST="true").content.decode()
    assert _subjects(html) == ["Child call", "Parent call"]
    assert "Contoso Japan" in html


def test_the_feed_filters_by_type_person_and_date(csm, am, account):
    jane = Contact.objects.create(account=account, first_name="Jane", last_name="Doe")
    activity_make(account=account, type="note", subject="A note", created_by=am)
    activity_make(account=account, type="call", subject="Call with Jane", contacts=(jane,), minutes_ago=5)
    old = activity_make(account=account, type="call", subject="Old call", minutes_ago=60 * 24 * 40)
    client = logged_in(csm)
    url = f"/timeline/accounts/{account.public_id}/"
    assert _subjects(client.get(url + "?type=call", HTTP_HX_REQUEST="true").content.decode()) == [
        "Call with Jane", "Old call"]
    assert _subjects(client.get(url + f"?person=c:{jane.public_id}", HTTP_HX_REQUEST="true").content.decode()) == [
        "Call with Jane"]
    assert _subjects(client.get(url + f"?person=u:{am.public_id}", HTTP_HX_REQUEST="true").content.decode()) == [
        "A note"]
    day = old.occurred_at.date().isoformat()
    assert _subjects(client.get(url + f"?since={day}&until={day}", HTTP_HX_REQUEST="true").content.decode()) == [
        "Old call"]
    bad = client.get(url + "?since=2026-02-01&until=2026-01-01", HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and "The end is before the start." in bad.content.decode()


def test_the_full_feed_page_works_without_javascript(csm, account):
    activity_make(account=account, subject="Plain")
    response = logged_in(csm).get(f"/timeline/accounts/{account.public_id}/")
    assert response.status_code == 200 and "<html" in response.content.decode()


def test_the_contact_page_shows_the_contacts_timeline(csm, account):
    jane = Contact.objects.create(account=account, first_name="Jane", last_name="Doe")
    activity_make(account=account, subject="With Jane", contacts=(jane,))
    activity_make(account=account, subject="Without Jane")
    html = logged_in(csm).get(f"/contacts/{jane.public_id}/").content.decode()
    assert 'id="contact-timeline"' in html and _subjects(html) == ["With Jane"]
    feed = logged_in(csm).get(f"/timeline/contacts/{jane.public_id}/", HTTP_HX_REQUEST="true").content.decode()
    assert _subjects(feed) == ["With Jane"]


def test_markdown_is_shown_sanitized(csm, account):
    from tandem.timeline import services

    services.activity_log(actor=csm, account=account, type="note", subject="XSS",
                          body='<script>alert(1)</script><img src=x onerror="alert(2)">**ok**')
    html = logged_in(csm).get(f"/accounts/{account.public_id}/").content.decode()
    assert "alert(1)" not in html and "onerror" not in html and "<strong>ok</strong>" in html


def test_an_eml_dropped_on_the_account_becomes_an_email(csm, account):
    upload = SimpleUploadedFile("mail.eml", eml(), content_type="message/rfc822")
    response = logged_in(csm).post(f"/timeline/accounts/{account.public_id}/email/", {"file": upload}, follow=True)
    assert "is on the timeline" in response.content.decode()
    assert Activity.objects.get().type == "email"


@pytest.mark.parametrize("data,name", [(b"\x00garbage", "broken.eml"), (b"From: a@b.example\n\nhi", "mail.pdf")])
def test_a_bad_eml_drop_gets_a_message_not_a_500(csm, account, data, name):
    upload = SimpleUploadedFile(name, data, content_type="message/rfc822")
    response = logged_in(csm).post(f"/timeline/accounts/{account.public_id}/email/", {"file": upload}, follow=True)
    assert response.status_code == 200
    assert "message-error" in response.content.decode() and not Activity.objects.exists()


def test_editing_a_logged_call(csm, account):
    activity = activity_make(account=account, subject="Typo", created_by=csm)
    client = logged_in(csm)
    assert client.get(f"/timeline/activities/{activity.public_id}/edit/").status_code == 200
    response = client.post(f"/timeline/activities/{activity.public_id}/edit/", {
        "type": "call", "direction": "inbound", "occurred_at": "2026-01-05T10:00", "subject": "Fixed", "body": ""})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.subject, activity.direction) == ("Fixed", "inbound")


def test_the_account_page_query_count_does_not_grow_with_the_timeline(csm, account, django_assert_max_num_queries):
    jane = Contact.objects.create(account=account, first_name="Jane", last_name="Doe")
    for index in range(20):
        activity_make(account=account, subject=f"Call {index}", contacts=(jane,), created_by=csm)
    client = logged_in(csm)
    client.get(f"/accounts/{account.public_id}/")  # warm caches (content types, grants)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(f"/timeline/accounts/{account.public_id}/", HTTP_HX_REQUEST="true")
    for index in range(20):
        activity_make(account=account, subject=f"More {index}", contacts=(jane,), created_by=csm)
    with CaptureQueriesContext(connection) as many:
        client.get(f"/timeline/accounts/{account.public_id}/", HTTP_HX_REQUEST="true")
    assert len(many) == len(few)
