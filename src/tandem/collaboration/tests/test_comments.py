"""Comments: who may comment and read, sanitising, audited edits and deletes, mentions notified exactly once,
mentions of people who cannot see the record refused."""

from __future__ import annotations

import pytest

from tandem.audit.models import AuditEntry
from tandem.collaboration import selectors, services
from tandem.collaboration.logic import mention_token
from tandem.collaboration.models import Comment, CommentMention
from tandem.contacts.models import Contact
from tandem.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from tandem.core.testing.factories import AccountFactory, UserFactory, assign
from tandem.core.testing.fixtures import bearer_for, logged_in
from tandem.notifications.models import Notification
from tandem.timeline.models import Activity


@pytest.fixture
def account(csm, am):
    account = AccountFactory(name="Contoso", owner=am)
    assign(account, csm, "csm")
    return account


@pytest.fixture
def lee(db):
    """A CSM on no account: sees nothing."""
    return UserFactory(email="lee@example.test", full_name="Lee Park", roles=["csm"])


def mention(user) -> str:
    return mention_token(name=user.full_name, public_id=user.public_id)


def test_a_csm_comments_on_their_account_and_the_text_is_sanitised(csm, account):
    comment = services.comment_post(actor=csm, record=account,
                                    body="**Renewal** risk <script>alert(1)</script><img src=x onerror=alert(2)>")
    assert comment.author == csm
    assert comment.body_html.startswith("<p><strong>Renewal</strong> risk")
    assert "<script" not in comment.body_html and "onerror" not in comment.body_html
    assert AuditEntry.objects.filter(object_id=str(comment.pk), action="create").count() == 1


def test_comments_work_on_contacts_and_activities(csm, account):
    contact = Contact.objects.create(account=account, last_name="Doe")
    activity = Activity.objects.create(account=account, type="call", subject="Kick-off")
    services.comment_post(actor=csm, record=contact, body="Champion")
    services.comment_post(actor=csm, record=activity, body="Good call")
    assert [c.body for c in selectors.comment_list(actor=csm, record=activity)] == ["Good call"]
    assert selectors.comment_list(actor=csm).count() == 2


def test_a_csm_cannot_comment_on_or_read_an_account_outside_their_scope(csm, am):
    other = AccountFactory(owner=am)
    services.comment_post(actor=am, record=other, body="secret plans")
    with pytest.raises(NotFound):
        services.comment_post(actor=csm, record=other, body="hi")
    assert selectors.comment_list(actor=csm).count() == 0
    assert selectors.comment_list(actor=csm, record=other).count() == 0
    assert Comment.objects.count() == 1


def test_a_viewer_reads_but_cannot_comment(viewer, csm, account):
    services.comment_post(actor=csm, record=account, body="hello")
    assert selectors.comment_list(actor=viewer, record=account).count() == 1
    with pytest.raises(PermissionDenied):
        services.comment_post(actor=viewer, record=account, body="x")


def test_an_empty_comment_is_refused(csm, account):
    with pytest.raises(ValidationFailed) as error:
        services.comment_post(actor=csm, record=account, body="   ")
    assert error.value.errors == {"body": ["Write a comment first."]}


def test_editing_is_audited_with_before_and_after_and_only_the_author_may(csm, am, account):
    comment = services.comment_post(actor=csm, record=account, body="first")
    with pytest.raises(PermissionDenied):
        services.comment_update(actor=am, comment=comment, body="hijacked")
    services.comment_update(actor=csm, comment=comment, body="second")
    comment.refresh_from_db()
    assert comment.body == "second" and comment.edited_at is not None
    entry = AuditEntry.objects.get(object_id=str(comment.pk), action="change")
    assert entry.changes == {"body": ["first", "second"]} and entry.actor == csm


def test_deleting_is_soft_audited_and_an_admin_may_delete_any(csm, admin, account):
    comment = services.comment_post(actor=csm, record=account, body="oops")
    services.comment_delete(actor=admin, comment=comment)
    comment.refresh_from_db()
    assert comment.deleted_at is not None
    assert selectors.comment_list(actor=csm, record=account).count() == 0
    entry = AuditEntry.objects.get(object_id=str(comment.pk), action="delete")
    assert entry.changes == {"body": ["oops", None]} and entry.actor == admin


def test_a_colleague_cannot_delete_someone_elses_comment(csm, am, account):
    comment = services.comment_post(actor=csm, record=account, body="mine")
    with pytest.raises(PermissionDenied):
        services.comment_delete(actor=am, comment=comment)
    assert Comment.objects.get(pk=comment.pk).deleted_at is None


def test_a_mention_notifies_the_person_once_with_a_link_to_the_comment(csm, am, account):
    comment = services.comment_post(actor=csm, record=account, body=f"{mention(am)} can you check pricing?")
    notification = Notification.objects.get(recipient=am, kind="mention")
    assert notification.url == f"/comments/{comment.public_id}/"
    assert "Contoso" in notification.title and notification.body == "@Adam AM can you check pricing?"
    assert list(CommentMention.objects.values_list("user__email", flat=True)) == ["adam@example.test"]
    assert comment.body_html == "<p><strong>@Adam AM</strong> can you check pricing?</p>"
    services.comment_update(actor=csm, comment=comment, body=f"{mention(am)} can you check pricing today?")
    assert Notification.objects.filter(recipient=am, kind="mention").count() == 1


def test_an_edit_notifies_only_people_newly_mentioned(csm, am, manager, account):
    account.team = None
    assign(account, manager, "manager")
    comment = services.comment_post(actor=csm, record=account, body=f"{mention(am)} look")
    services.comment_update(actor=csm, comment=comment, body=f"{mention(am)} {mention(manager)} look")
    assert Notification.objects.filter(kind="mention").count() == 2
    assert Notification.objects.filter(recipient=manager, kind="mention").count() == 1
    assert set(CommentMention.objects.values_list("user__email", flat=True)) == {"adam@example.test",
                                                                                 "mona@example.test"}


def test_mentioning_someone_who_cannot_see_the_record_is_refused_and_nothing_is_saved(csm, lee, account):
    with pytest.raises(ValidationFailed) as error:
        services.comment_post(actor=csm, record=account, body=f"{mention(lee)} FYI")
    assert error.value.errors == {"body": ["Lee Park cannot see this account; they were not mentioned."]}
    assert not Comment.objects.exists() and not Notification.objects.exists()
    assert not AuditEntry.objects.filter(action="create", content_type__model="comment").exists()


def test_a_mention_of_an_unknown_or_deactivated_person_is_refused(csm, am, account):
    am.is_active = False
    am.save()
    with pytest.raises(ValidationFailed) as error:
        services.comment_post(actor=csm, record=account, body=f"{mention(am)} @[Ghost](nobody123)")
    assert error.value.errors["body"] == ["Adam AM is deactivated; they were not mentioned.",
                                          "Nobody is known as Ghost; pick the person from the list."]


def test_the_suggestions_offer_only_colleagues_who_can_see_the_record(csm, am, lee, account):
    found = selectors.mention_candidates(actor=csm, query="", record=account)
    assert [user.email for user in found] == ["adam@example.test"]
    client = logged_in(csm)
    body = client.get("/comments/mentions/", {"q": "ada", "object_type": "account",
                                             "object_id": account.public_id}).json()
    assert body == {"items": [{"id": am.public_id, "name": "Adam AM", "email": "adam@example.test"}]}
    assert client.get("/comments/mentions/", {"q": "lee", "object_type": "account",
                                             "object_id": account.public_id}).json() == {"items": []}


def test_the_account_page_shows_comments_and_htmx_posts_one(csm, am, account):
    client = logged_in(csm)
    services.comment_post(actor=am, record=account, body="Hello *team*")
    page = client.get(f"/accounts/{account.public_id}/")
    assert page.status_code == 200
    assert b"<em>team</em>" in page.content and b"data-mention-url" in page.content
    response = client.post(f"/comments/on/account/{account.public_id}/", {"body": f"{mention(am)} thanks"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"<strong>@Adam AM</strong> thanks" in response.content
    assert Notification.objects.filter(recipient=am, kind="mention").count() == 1


def test_a_refused_mention_comes_back_in_the_block_with_the_message_and_the_text(csm, lee, account):
    response = logged_in(csm).post(f"/comments/on/account/{account.public_id}/", {"body": f"{mention(lee)} FYI"},
                                   HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Lee Park cannot see this account; they were not mentioned." in response.content.decode()
    assert "FYI</textarea>" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_csm_cannot_read_comments_of_an_account_outside_scope_in_the_ui_or_the_api(csm, am):
    other = AccountFactory(owner=am)
    comment = services.comment_post(actor=am, record=other, body="internal")
    client = logged_in(csm)
    assert client.get(f"/comments/on/account/{other.public_id}/").status_code == 404
    assert client.get(f"/comments/{comment.public_id}/").status_code == 404
    assert client.post(f"/comments/on/account/{other.public_id}/", {"body": "x"}).status_code == 404
    headers = bearer_for(csm, ["comments:read"])
    from django.test import Client

    assert Client().get(f"/api/v1/comments/{comment.public_id}", **headers).status_code == 404
    listed = Client().get(f"/api/v1/comments?object_type=account&object_id={other.public_id}", **headers).json()
    assert listed["items"] == []
    assert Client().get("/api/v1/comments", **headers).json()["items"] == []


def test_the_permalink_opens_the_record_at_the_comment(csm, account):
    comment = services.comment_post(actor=csm, record=account, body="here")
    response = logged_in(csm).get(f"/comments/{comment.public_id}/")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/{account.public_id}/#comment-{comment.public_id}"


def test_activity_comments_load_lazily_under_each_activity(csm, account):
    activity = Activity.objects.create(account=account, type="call", subject="Kick-off")
    services.comment_post(actor=csm, record=activity, body="Nice call")
    client = logged_in(csm)
    page = client.get(f"/accounts/{account.public_id}/").content.decode()
    assert f"/comments/on/activity/{activity.public_id}/" in page
    fragment = client.get(f"/comments/on/activity/{activity.public_id}/", HTTP_HX_REQUEST="true")
    assert b"Nice call" in fragment.content and b"<html" not in fragment.content
    assert b"Nice call" in client.get(f"/comments/on/activity/{activity.public_id}/").content


def test_editing_and_deleting_through_htmx(csm, account):
    comment = services.comment_post(actor=csm, record=account, body="first")
    client = logged_in(csm)
    form = client.get(f"/comments/{comment.public_id}/edit/", HTTP_HX_REQUEST="true")
    assert b"first</textarea>" in form.content
    saved = client.post(f"/comments/{comment.public_id}/edit/", {"body": "second"}, HTTP_HX_REQUEST="true")
    assert b"second" in saved.content and saved.status_code == 200
    client.post(f"/comments/{comment.public_id}/delete/", HTTP_HX_REQUEST="true")
    assert Comment.objects.get(pk=comment.pk).deleted_at is not None


def test_a_reply_hangs_under_the_first_comment(csm, am, account):
    first = services.comment_post(actor=csm, record=account, body="question")
    reply = services.comment_post(actor=am, record=account, body="answer", parent=first)
    nested = services.comment_post(actor=csm, record=account, body="thanks", parent=reply)
    assert nested.parent == first
    threads = selectors.comment_threads(actor=csm, record=account)
    assert [(t.comment.body, [r.body for r in t.replies]) for t in threads] == [("question", ["answer", "thanks"])]
