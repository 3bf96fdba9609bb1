"""Writes for the timeline: authorise → validate → write → audit → announce.

People log calls, emails, meetings, notes and chats (``activity_log``) and may edit or delete what they logged
(``activity_update``, ``activity_delete``). Tandem and other apps record stage changes, ticket and system events
with ``record_system_activity`` — no permission check, no audit entry of its own (the change it describes is
audited by the service that made it), and nobody edits them afterwards."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.access.choices import Action
from tandem.access.decide import can, restrict
from tandem.accounts.models import Account
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_created, audit_deleted, audit_record, diff, snapshot
from tandem.contacts.models import Contact
from tandem.core.events import publish
from tandem.core.exceptions import PermissionDenied, ValidationFailed
from tandem.files import services as file_services
from tandem.files.models import StoredFile
from tandem.identity.models import User
from tandem.timeline import selectors
from tandem.timeline.choices import SYSTEM_TYPES, USER_TYPES, ActivityType, Direction
from tandem.timeline.logic import EmailParseError, parse_email, render_markdown
from tandem.timeline.models import Activity

AUDITED = ("account", "type", "direction", "occurred_at", "subject", "body")
RELATED = ("contacts", "participants", "attachments")
EDITABLE = ("type", "direction", "occurred_at", "subject", "body", "contacts", "participants", "attachments")
MAX_BODY = 100_000
MAX_PEOPLE = 100
EML_MAX_BYTES = 25 * 2**20
MAX_UPLOADS = 20


def _user(actor: Any) -> User | None:
    return None if getattr(actor, "is_system", False) or getattr(actor, "pk", None) is None else actor


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors={field: [message]})


def _related(activity: Activity) -> dict[str, list[str]]:
    return {name: sorted(str(item) for item in getattr(activity, name).all()) for name in RELATED}


def _check_user_type(value: str) -> None:
    if value in SYSTEM_TYPES:
        raise _fail("type", _("Stage changes, ticket events and system events are recorded by Tandem; log a call, "
                              "an email, a meeting, a note or a chat."))
    if value not in USER_TYPES:
        raise _fail("type", _("Unknown activity type %(type)r; use one of: %(types)s.")
                    % {"type": value, "types": ", ".join(sorted(USER_TYPES))})


def _validate(activity: Activity) -> None:
    errors: dict[str, list[str]] = {}
    activity.subject = " ".join((activity.subject or "").split())
    activity.body = (activity.body or "").strip()
    if activity.direction not in Direction.values:
        errors["direction"] = [_("Unknown direction %(direction)r; use inbound, outbound or none.")
                               % {"direction": activity.direction}]
    if len(activity.subject) > 300:
        errors["subject"] = [_("At most %(limit)d characters (this has %(length)d).")
                             % {"limit": 300, "length": len(activity.subject)}]
    if len(activity.body) > MAX_BODY:
        errors["body"] = [_("At most %(limit)d characters (this has %(length)d).")
                          % {"limit": MAX_BODY, "length": len(activity.body)}]
    if not activity.subject and not activity.body:
        errors["subject"] = [_("Give the activity a subject or a text.")]
    if not isinstance(activity.occurred_at, datetime.datetime) or timezone.is_naive(activity.occurred_at):
        errors["occurred_at"] = [_("Give the time with its time zone.")]
    elif activity.occurred_at > timezone.now() + datetime.timedelta(days=366):
        errors["occurred_at"] = [_("That is more than a year ahead.")]
    if errors:
        raise ValidationFailed(_("The activity is invalid."), errors=errors)
    activity.body_html = render_markdown(activity.body)


def _visible_contacts(actor: Any, contacts: Iterable[Contact]) -> list[Contact]:
    contacts = list(dict.fromkeys(contacts))
    if len(contacts) > MAX_PEOPLE:
        raise _fail("contacts", _("At most %(limit)d contacts.") % {"limit": MAX_PEOPLE})
    visible = set(restrict(Contact.objects.filter(pk__in=[c.pk for c in contacts]), actor)
                  .values_list("pk", flat=True))
    if len(visible) != len(contacts):
        raise _fail("contacts", _("Unknown contact."))
    return contacts


def _active_users(users: Iterable[User]) -> list[User]:
    users = list(dict.fromkeys(users))
    if len(users) > MAX_PEOPLE:
        raise _fail("participants", _("At most %(limit)d participants.") % {"limit": MAX_PEOPLE})
    if any(not user.is_active for user in users):
        raise _fail("participants", _("Only active users can take part."))
    return users


def _own_files(actor: Any, account: Account, files: Iterable[StoredFile]) -> list[StoredFile]:
    files = list(dict.fromkeys(files))
    if any(stored.account_id != account.pk for stored in files) or len(files) != restrict(
            StoredFile.objects.filter(pk__in=[f.pk for f in files]), actor).count():
        raise _fail("attachments", _("Attach only files of this account."))
    return files


def activity_log(*, actor: Any, account: Account, type: str, direction: str = Direction.NONE,
                 occurred_at: datetime.datetime | None = None, subject: str = "", body: str = "",
                 contacts: Iterable[Contact] = (), participants: Iterable[User] = (),
                 attachments: Iterable[StoredFile] = (), uploads: Sequence[Any] = (),
                 message_id: str = "") -> Activity:
    """Log a call, an email, a meeting, a note or a chat on ``account``'s timeline. ``attachments`` are files
    the account has; ``uploads`` (uploaded files) are stored as new files of the account through the files
    app (its permission, type and size checks) and attached. All or nothing: a refused upload refuses the
    whole activity (ValidationFailed on ``attachments`` naming the file) and leaves no file behind."""
    if not can(actor, Action.CREATE, resource="activity") or not can(actor, Action.VIEW, account):
        raise PermissionDenied(_("You may not log activities on this account."))
    _check_user_type(type)
    activity = Activity(account=account, type=type, direction=direction or Direction.NONE,
                        occurred_at=occurred_at or timezone.now(), subject=subject, body=body,
                        created_by=_user(actor), message_id=message_id[:255])
    _validate(activity)
    contacts = _visible_contacts(actor, contacts)
    participants = _active_users(participants)
    attachments = _own_files(actor, account, attachments)
    uploads = list(uploads)
    if uploads and not (can(actor, Action.CREATE, resource="file") and can(actor, Action.CHANGE, account)):
        raise _fail("attachments", _("You may not add files to this account."))
    if len(uploads) > MAX_UPLOADS:
        raise _fail("attachments", _("Attach at most %(count)d files at once.") % {"count": MAX_UPLOADS})
    stored: list[StoredFile] = []
    try:
        with transaction.atomic():
            for upload in uploads:
                try:
                    stored.append(file_services.file_upload(actor=actor, account=account, upload=upload))
                except ValidationFailed as error:
                    raise _fail("attachments", _("%(name)s: %(reason)s") % {
                        "name": getattr(upload, "name", "") or _("(no name)"), "reason": error.message}) from None
            activity.save()
            activity.contacts.set(contacts)
            activity.participants.set(participants)
            activity.attachments.set([*attachments, *stored])
            audit_created(actor=actor, obj=activity, fields=AUDITED,
                          summary=_("%(type)s logged on %(account)s") % {"type": activity.get_type_display(),
                                                                         "account": account.name})
            publish("activity.created", actor=actor, activity=activity)
    except Exception:
        for item in stored:  # the rows rolled back: no orphan blobs either
            item.blob.delete(save=False)
        raise
    return activity


def activity_update(*, actor: Any, activity: Activity, **changes: Any) -> Activity:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(_("Unknown fields."), errors={name: [_("Unknown field.")] for name in unknown})
    if not can(actor, Action.CHANGE, activity):
        raise PermissionDenied(_("You may not change this activity."))
    if activity.type in SYSTEM_TYPES:
        raise PermissionDenied(_("Tandem recorded this entry; it cannot be edited."))
    if "type" in changes:
        _check_user_type(changes["type"])
    with transaction.atomic():
        locked = Activity.objects.select_for_update(of=("self",)).select_related("account").get(pk=activity.pk)
        before = {**snapshot(locked, AUDITED), **_related(locked)}
        for name in ("type", "direction", "occurred_at", "subject", "body"):
            if name in changes:
                setattr(locked, name, changes[name])
        _validate(locked)
        if "contacts" in changes:
            locked.contacts.set(_visible_contacts(actor, changes["contacts"]))
        if "participants" in changes:
            locked.participants.set(_active_users(changes["participants"]))
        if "attachments" in changes:
            locked.attachments.set(_own_files(actor, locked.account, changes["attachments"]))
        changed = diff(before, {**snapshot(locked, AUDITED), **_related(locked)})
        if changed:
            locked.save()
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=locked, changes=changed)
    return locked


def activity_delete(*, actor: Any, activity: Activity) -> None:
    if not can(actor, Action.DELETE, activity):
        raise PermissionDenied(_("You may not delete this activity."))
    if activity.type in SYSTEM_TYPES:
        raise PermissionDenied(_("Tandem recorded this entry; it cannot be deleted."))
    with transaction.atomic():
        audit_deleted(actor=actor, obj=activity, fields=AUDITED)
        activity.delete()


def record_system_activity(*, account: Account, type: str, subject: str, actor: Any = None, body: str = "",
                           occurred_at: datetime.datetime | None = None, source: Model | None = None,
                           payload: dict[str, Any] | None = None, contacts: Iterable[Contact] = (),
                           participants: Iterable[User] = ()) -> Activity:
    """Put an entry that Tandem recorded on ``account``'s timeline (for other apps and event subscribers).
    ``actor`` is who caused it (a user, SYSTEM or None); ``source`` the record it is about (a stage change, a
    ticket, a renewal). No permission check: the calling service has already decided. Call it inside that
    service's transaction so the entry commits with the change."""
    if type not in ActivityType.values:
        raise _fail("type", _("Unknown activity type %(type)r.") % {"type": type})
    activity = Activity(account=account, type=type, direction=Direction.NONE, subject=subject[:300], body=body,
                        occurred_at=occurred_at or timezone.now(), created_by=_user(actor), payload=payload or {})
    if source is not None:
        activity.source = source
    _validate(activity)
    with transaction.atomic():
        activity.save()
        if contacts:
            activity.contacts.set(list(contacts))
        if participants:
            activity.participants.set([user for user in participants if user is not None])
        publish("activity.created", actor=actor, activity=activity)
    return activity


@dataclass(frozen=True)
class EmailImport:
    """The email activity an .eml file became, the files attached to it, and attachments left out (with why)."""

    activity: Activity
    attached: tuple[StoredFile, ...]
    skipped: tuple[str, ...]


def email_import(*, actor: Any, account: Account, upload: Any) -> EmailImport:
    """An .eml file becomes an email activity on ``account``: subject, sender and recipients matched to the
    account's contacts by address, the text as body, the attachments as files of the account. Inbound unless
    it was sent from one of our users' addresses."""
    if not can(actor, Action.CREATE, resource="activity") or not can(actor, Action.VIEW, account):
        raise PermissionDenied(_("You may not log activities on this account."))
    name = getattr(upload, "name", "") or ""
    size = getattr(upload, "size", None) or 0
    if not name.lower().endswith(".eml"):
        raise _fail("file", _("Drop an e-mail saved as an .eml file."))
    limit = min(EML_MAX_BYTES, settings.FILE_MAX_BYTES)
    if size > limit:
        raise _fail("file", _("The e-mail is %(size)s MB; the limit is %(limit)s MB.")
                    % {"size": round(size / 2**20, 1), "limit": limit // 2**20})
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _fail("file", _("The e-mail is larger than %(limit)s MB.") % {"limit": limit // 2**20})
    try:
        parsed = parse_email(data)
    except EmailParseError:
        raise _fail("file", _("%(name)s is not a readable e-mail message (.eml).") % {"name": name}) from None
    if selectors.activity_with_message_id(account=account, message_id=parsed.message_id) is not None:
        raise _fail("file", _("This e-mail is already on the timeline."))
    ours = set(User.objects.filter(email__in=parsed.addresses).values_list("email", flat=True))
    direction = Direction.OUTBOUND if parsed.sender in ours else Direction.INBOUND
    contacts = restrict(Contact.objects.filter(
        _address_condition(parsed.addresses), account=account), actor).order_by("id")
    participants = User.objects.filter(email__in=parsed.addresses, is_active=True).order_by("id")
    may_attach = can(actor, Action.CREATE, resource="file") and can(actor, Action.CHANGE, account)
    attached: list[StoredFile] = []
    skipped: list[str] = []
    with transaction.atomic():
        try:
            for attachment in parsed.attachments:
                if not may_attach:
                    skipped.append(_("%(name)s: you may not add files to this account.") % {"name": attachment.name})
                    continue
                try:
                    with transaction.atomic():
                        attached.append(file_services.file_upload(actor=actor, account=account, upload=(
                            SimpleUploadedFile(attachment.name, attachment.data, attachment.content_type))))
                except ValidationFailed as error:
                    skipped.append(f"{attachment.name}: {error.message}")
            activity = activity_log(actor=actor, account=account, type=ActivityType.EMAIL, direction=direction,
                                    occurred_at=parsed.sent_at, subject=parsed.subject or _("(no subject)"),
                                    body=parsed.text[:MAX_BODY], contacts=list(contacts),
                                    participants=list(participants), attachments=attached,
                                    message_id=parsed.message_id)
        except Exception:
            for stored in attached:  # no orphan blobs when the activity was not written
                stored.blob.delete(save=False)
            raise
    return EmailImport(activity=activity, attached=tuple(attached), skipped=tuple(skipped))


def _address_condition(addresses: tuple[str, ...]) -> Q:
    condition = Q(pk__in=[])
    for address in addresses[:MAX_PEOPLE]:
        condition |= Q(email__iexact=address) | Q(other_emails__icontains=f'"{address}"')
    return condition
