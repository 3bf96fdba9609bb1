"""Logging, editing and deleting activities; what Tandem records from domain events; the .eml import."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from tandem.access.decide import SYSTEM
from tandem.accounts import services as account_services
from tandem.accounts.team import account_team_assign
from tandem.audit.models import AuditEntry
from tandem.contacts import services as contact_services
from tandem.contacts.models import Contact
from tandem.core.events import subscribe
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.core.testing.factories import AccountFactory, assign
from tandem.files.models import StoredFile
from tandem.timeline import services
from tandem.timeline.models import Activity
from tandem.timeline.tests.factories import eml


@pytest.fixture
def account(csm):
    account = AccountFactory(name="Contoso", lifecycle_stage="trial")
    assign(account, csm, "csm")
    return account


def test_a_csm_logs_a_call_on_their_account(csm, account):
    jane = Contact.objects.create(account=account, first_name="Jane", last_name="Doe")
    activity = services.activity_log(actor=csm, account=account, type="call", direction="outbound",
                                     subject="Kick-off", body="Went **well**", contacts=[jane])
    assert activity.created_by == csm
    assert activity.body_html == "<p>Went <strong>well</strong></p>"
    assert list(activity.contacts.all()) == [jane]
    assert AuditEntry.objects.filter(object_id=str(activity.pk), action="create").count() == 1


def test_a_csm_cannot_log_on_an_account_they_do_not_see(csm):
    other = AccountFactory()
    with pytest.raises(PermissionDenied):
        services.activity_log(actor=csm, account=other, type="note", subject="x")
    assert not Activity.objects.exists()


def test_a_viewer_cannot_log(viewer, account):
    with pytest.raises(PermissionDenied):
        services.activity_log(actor=viewer, account=account, type="note", subject="x")


@pytest.mark.parametrize("kind", ["stage_change", "system_event", "ticket_event", "fax"])
def test_system_and_unknown_types_cannot_be_logged_by_hand(csm, account, kind):
    with pytest.raises(ValidationFailed) as error:
        services.activity_log(actor=csm, account=account, type=kind, subject="x")
    assert "type" in error.value.errors
    assert not Activity.objects.exists()


def test_an_activity_needs_a_subject_or_a_text(csm, account):
    with pytest.raises(ValidationFailed) as error:
        services.activity_log(actor=csm, account=account, type="note", subject="  ", body="")
    assert list(error.value.errors) == ["subject"]


def test_a_contact_of_an_invisible_account_is_refused(csm, account):
    stranger = Contact.objects.create(account=AccountFactory(), last_name="Hidden")
    with pytest.raises(ValidationFailed) as error:
        services.activity_log(actor=csm, account=account, type="call", subject="x", contacts=[stranger])
    assert list(error.value.errors) == ["contacts"]


def test_editing_is_audited_and_rerenders_the_body(csm, account):
    activity = services.activity_log(actor=csm, account=account, type="note", subject="Draft")
    services.activity_update(actor=csm, activity=activity, body="<script>x()</script>*done*", type="call")
    activity.refresh_from_db()
    assert activity.type == "call" and activity.body_html == "<p><em>done</em></p>"
    change = AuditEntry.objects.get(object_id=str(activity.pk), action="change")
    assert change.changes["type"] == ["note", "call"]


def test_recorded_entries_cannot_be_edited_or_deleted_by_anyone(admin, account):
    entry = services.record_system_activity(actor=SYSTEM, account=account, type="system_event", subject="Synced")
    with pytest.raises(PermissionDenied):
        services.activity_update(actor=admin, activity=entry, subject="Changed")
    with pytest.raises(PermissionDenied):
        services.activity_delete(actor=admin, activity=entry)
    entry.refresh_from_db()
    assert entry.subject == "Synced"


def test_deleting_is_audited(admin, account):
    activity = services.activity_log(actor=admin, account=account, type="note", subject="Oops")
    pk = activity.pk
    services.activity_delete(actor=admin, activity=activity)
    assert not Activity.objects.exists()
    assert AuditEntry.objects.filter(object_id=str(pk), action="delete").count() == 1


def test_a_csm_may_not_delete_but_a_manager_of_all_may(csm, account):
    activity = services.activity_log(actor=csm, account=account, type="note", subject="Mine")
    with pytest.raises(PermissionDenied):
        services.activity_delete(actor=csm, activity=activity)


def test_record_system_activity_points_at_its_source(account):
    change = account.stage_changes.create(from_stage="trial", to_stage="onboarding")
    entry = services.record_system_activity(account=account, type="stage_change", subject="x", source=change)
    assert entry.source == change and entry.created_by is None


def test_changing_a_stage_puts_exactly_one_stage_change_on_the_timeline(csm, account):
    account_services.account_update(actor=csm, account=account, lifecycle_stage="onboarding")
    entries = list(Activity.objects.filter(account=account, type="stage_change"))
    assert len(entries) == 1
    assert entries[0].subject == "Trial → Onboarding"
    assert entries[0].created_by == csm
    assert entries[0].payload == {"from": "trial", "to": "onboarding"}
    assert entries[0].stage_labels == ("Trial", "Onboarding")


def test_creating_an_account_records_its_creation_and_no_stage_change(admin):
    account = account_services.account_create(actor=admin, name="Fabrikam")
    kinds = list(Activity.objects.filter(account=account).values_list("type", "payload__event"))
    assert kinds == [("system_event", "account_created")]


def test_a_team_change_says_who_became_what(admin, account, am):
    account_team_assign(actor=admin, account=account, role_code="am", user=am, reason="")
    entry = Activity.objects.get(account=account, type="system_event")
    assert entry.subject == "Adam AM became Account manager"
    assert list(entry.participants.all()) == [am] and entry.created_by == admin


def test_a_contact_moving_leaves_an_entry_on_both_accounts(admin, account):
    other = AccountFactory(name="Northwind")
    jane = contact_services.contact_create(actor=admin, first_name="Jane", last_name="Doe", account=account)
    contact_services.contact_update(actor=admin, contact=jane, account=other)
    left = Activity.objects.get(account=account, payload__event="contact_left")
    joined = Activity.objects.get(account=other, payload__event="contact_joined")
    assert left.subject == "Jane Doe left this account" and list(left.contacts.all()) == [jane]
    assert "Northwind" not in left.subject and list(joined.contacts.all()) == [jane]


def test_a_failing_subscriber_rolls_the_stage_change_back(csm, account):
    from tandem.core import events

    def explode(**_payload):
        raise RuntimeError("boom")

    subscribe("activity.created", explode)
    try:
        with pytest.raises(RuntimeError):
            account_services.account_update(actor=csm, account=account, lifecycle_stage="onboarding")
    finally:
        events._SUBSCRIBERS["activity.created"].remove(explode)
    account.refresh_from_db()
    assert account.lifecycle_stage == "trial" and not Activity.objects.exists()


def test_logging_announces_activity_created(csm, account):
    from tandem.core import events

    seen = []

    def listen(*, actor, activity):
        seen.append((actor, activity.subject))

    subscribe("activity.created", listen)
    try:
        services.activity_log(actor=csm, account=account, type="note", subject="Hello")
    finally:
        events._SUBSCRIBERS["activity.created"].remove(listen)
    assert seen == [(csm, "Hello")]


def _upload(data: bytes, name: str = "mail.eml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="message/rfc822")


def test_an_eml_becomes_an_email_with_its_attachment_matched_to_contacts(csm, account, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(tmp_path)}}}
    jane = Contact.objects.create(account=account, first_name="Jane", last_name="Doe", email="jane@contoso.example")
    Contact.objects.create(account=account, last_name="Other", email="other@contoso.example")
    Contact.objects.create(account=AccountFactory(), last_name="Elsewhere", email="jane@contoso.example")
    result = services.email_import(actor=csm, account=account,
                                   upload=_upload(eml(attachment=("offer.pdf", b"%PDF-1.4 test"))))
    activity = result.activity
    assert activity.type == "email" and activity.direction == "inbound"
    assert activity.subject == "Renewal question"
    assert activity.occurred_at == datetime.datetime(2026, 11, 3, 8, 30, tzinfo=datetime.UTC)
    assert list(activity.contacts.all()) == [jane]
    assert list(activity.participants.all()) == [csm]
    assert [f.name for f in activity.attachments.all()] == ["offer.pdf"]
    assert StoredFile.objects.get().account == account
    assert "<strong>renewal</strong>" in activity.body_html and result.skipped == ()


def test_an_email_sent_by_a_colleague_is_outbound(csm, account):
    activity = services.email_import(actor=csm, account=account, upload=_upload(
        eml(sender="carla@example.test", to="jane@contoso.example"))).activity
    assert activity.direction == "outbound"


def test_the_same_eml_twice_is_refused(csm, account):
    services.email_import(actor=csm, account=account, upload=_upload(eml()))
    with pytest.raises(ValidationFailed) as error:
        services.email_import(actor=csm, account=account, upload=_upload(eml()))
    assert error.value.errors == {"file": ["This e-mail is already on the timeline."]}


def test_an_attachment_of_a_forbidden_type_is_left_out_with_the_reason(csm, account):
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["Subject"] = "jane@contoso.example", "Tool"
    message.set_content("see attached")
    message.add_attachment(b"MZ\x90\x00", maintype="application", subtype="octet-stream", filename="tool.exe")
    result = services.email_import(actor=csm, account=account, upload=_upload(message.as_bytes()))
    assert result.attached == () and len(result.skipped) == 1 and result.skipped[0].startswith("tool.exe: ")
    assert not StoredFile.objects.exists()


def test_a_broken_eml_gets_a_clear_error(csm, account):
    with pytest.raises(ValidationFailed) as error:
        services.email_import(actor=csm, account=account, upload=_upload(b"\x00\x01 not an email"))
    assert error.value.errors == {"file": ["mail.eml is not a readable e-mail message (.eml)."]}
    assert not Activity.objects.exists()


def test_a_file_that_is_not_an_eml_is_refused(csm, account):
    with pytest.raises(ValidationFailed) as error:
        services.email_import(actor=csm, account=account, upload=_upload(eml(), name="mail.txt"))
    assert error.value.errors == {"file": ["Drop an e-mail saved as an .eml file."]}


@override_settings(FILE_MAX_BYTES=2**20)
def test_an_oversize_eml_is_refused(csm, account):
    huge = eml(attachment=("big.pdf", b"%PDF" + b"0" * (2**20 + 10)))
    with pytest.raises(ValidationFailed) as error:
        services.email_import(actor=csm, account=account, upload=_upload(huge))
    assert "the limit is 1 MB" in error.value.errors["file"][0]
    assert not Activity.objects.exists() and not StoredFile.objects.exists()


def test_an_occurred_at_without_time_zone_is_refused(csm, account):
    with pytest.raises(ValidationFailed) as error:
        services.activity_log(actor=csm, account=account, type="call", subject="x",
                              occurred_at=datetime.datetime(2026, 1, 1, 10, 0))
    assert list(error.value.errors) == ["occurred_at"]
    assert timezone.now()  # the clock is untouched
