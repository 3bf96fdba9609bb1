"""Writes for notifications: notify (inbox rows and outbox rows in the caller's transaction), read marks,
preferences, chat webhooks, follows, and the delivery of the outbox (email, chat, daily digest)."""

from __future__ import annotations

import datetime
import json
import logging
import secrets
import urllib.error
import urllib.request
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_record
from tandem.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from tandem.core.jobs import enqueue_after_commit
from tandem.identity.models import Team, User
from tandem.notifications import selectors
from tandem.notifications.choices import Channel
from tandem.notifications.kinds import all_kinds, get_kind
from tandem.notifications.logic import (
    DigestItem,
    absolute_url,
    digest_sections,
    digest_text,
    error_text,
    retry_delay,
    webhook_url_problem,
)
from tandem.notifications.models import ChatWebhook, DeliveryOutbox, Follow, Notification, NotificationPreference
from tandem.notifications.records import record_type
from tandem.notifications.text import Text, text_in

logger = logging.getLogger(__name__)
CLAIM_LEASE = datetime.timedelta(minutes=5)
WEBHOOK_PROBLEMS = {
    "empty": gettext_lazy("Enter the webhook address."),
    "too_long": gettext_lazy("The address is too long (at most 500 characters)."),
    "scheme": gettext_lazy("The address must start with https:// (or http://)."),
    "invalid": gettext_lazy("This is not a valid web address."),
}


def _real(obj: Any) -> Any:
    """The model instance behind ``request.user``'s lazy proxy (the audit log names the record by its type)."""
    return getattr(obj, "_wrapped", obj)


def _is_user(actor: Any) -> bool:
    return getattr(actor, "pk", None) is not None and not getattr(actor, "is_system", False)


def language_of(user: User) -> str:
    """The language ``user`` reads notifications in: their own, else the workspace's."""
    return user.language or settings.LANGUAGE_CODE


# --- notify -------------------------------------------------------------------------------------------------


def notify(*, recipients: Iterable[User], kind: str, title: Text, body: Text = "", url: str = "",
           source: Model | None = None, actor: Any, event_key: str) -> list[Notification]:
    """Tell ``recipients`` about an event: an inbox item and an outbox row per channel each person chose for
    ``kind``, written in the caller's transaction; delivery runs in a job after commit. The same ``event_key``
    never notifies the same person twice (calling again is a no-op for them). Inactive users are skipped.
    ``title`` and ``body`` are rendered in each recipient's language (see ``notifications.text``: pass
    ``translatable(gettext_lazy("…"), **params)`` rather than an already translated string).
    Returns the notifications created now."""
    get_kind(kind)  # unknown kinds fail loudly
    if not event_key or len(event_key) > 200:
        raise ValueError("event_key must be 1 to 200 characters.")
    people = {user.pk: user for user in recipients if user is not None and user.pk is not None and user.is_active}
    if not people:
        return []
    source_type = ContentType.objects.get_for_model(type(source)) if source is not None else None
    with transaction.atomic():
        existing = set(Notification.objects.filter(recipient_id__in=list(people), event_key=event_key)
                       .values_list("recipient_id", flat=True))
        fresh = [user for user_id, user in people.items() if user_id not in existing]
        if not fresh:
            return []
        channels = selectors.channels_for(users=fresh, kind=kind)
        now = timezone.now()
        texts: dict[str, tuple[str, str]] = {}  # language → (title, body), rendered once per language
        rows: list[Notification] = []
        for user in fresh:
            if not channels[user.pk]:
                continue
            language = language_of(user)
            if language not in texts:
                texts[language] = (text_in(title, language).strip()[:200] or kind, text_in(body, language).strip())
            user_title, user_body = texts[language]
            rows.append(Notification(recipient=user, kind=kind, title=user_title, body=user_body, url=url[:500],
                                     source_type=source_type, source_id=source.pk if source else None,
                                     actor=actor if _is_user(actor) else None, event_key=event_key,
                                     created_at=now, in_inbox=Channel.IN_APP in channels[user.pk],
                                     in_digest=Channel.DIGEST in channels[user.pk]))
        created = _insert_once(rows)
        wants_chat = [row.recipient for row in created if Channel.CHAT in channels[row.recipient_id]]
        webhooks = selectors.chat_webhook_urls(users=wants_chat) if wants_chat else {}
        outbox = []
        for row in created:
            wanted = channels[row.recipient_id]
            if Channel.EMAIL in wanted and row.recipient.email:
                outbox.append(_outbox_row(row, Channel.EMAIL))
            if Channel.CHAT in wanted and row.recipient_id in webhooks:
                outbox.append(_outbox_row(row, Channel.CHAT))
        if outbox:
            DeliveryOutbox.objects.bulk_create(outbox)
            _enqueue_delivery([item.pk for item in outbox if item.pk is not None])
    return created


def _insert_once(rows: list[Notification]) -> list[Notification]:
    """Insert all rows at once; if another transaction notified one of these people of the same event meanwhile,
    fall back to one savepoint per row and skip the duplicates."""
    if not rows:
        return []
    try:
        with transaction.atomic():
            return Notification.objects.bulk_create(rows)
    except IntegrityError:
        created = []
        for row in rows:
            try:
                with transaction.atomic():
                    row.pk = None
                    row.save(force_insert=True)
                created.append(row)
            except IntegrityError:
                continue
        return created


def _outbox_row(notification: Notification, channel: str) -> DeliveryOutbox:
    link = absolute_url(notification.url, settings.BASE_URL)
    if channel == Channel.EMAIL:
        text = "\n\n".join(part for part in (notification.body, link) if part)
        payload = {"subject": notification.title, "text": text or notification.title}
    else:
        lines = [f"*{notification.title}*", notification.body, link]
        payload = {"text": "\n".join(line for line in lines if line)}
    return DeliveryOutbox(notification=notification, recipient=notification.recipient, channel=channel,
                          dedupe_key=f"n{notification.pk}:{channel}", payload=payload)


def _enqueue_delivery(row_ids: list[int]) -> None:
    from tandem.notifications.jobs import deliver_notifications_job

    if row_ids:
        enqueue_after_commit(deliver_notifications_job, row_ids)


def followers_notify(*, obj: Model, actor: Any, kind: str, title: Text, body: Text = "", url: str = "",
                     event_key: str) -> list[Notification]:
    """Notify the people following ``obj`` (but not ``actor``, and only those who may still see it)."""
    followers = [user for user in selectors.followers_of(obj) if user.pk != getattr(actor, "pk", None)]
    visible = [user for user in followers if can(user, Action.VIEW, obj)]
    return notify(recipients=visible, kind=kind, title=title, body=body, url=url, source=obj, actor=actor,
                  event_key=event_key)


# --- the inbox ----------------------------------------------------------------------------------------------


def notification_mark_read(*, actor: Any, notification: Notification) -> Notification:
    if notification.recipient_id != getattr(actor, "pk", None):
        raise NotFound("No such notification.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notification_mark_all_read(*, actor: Any) -> int:
    """Mark every unread notification of ``actor`` read; returns how many."""
    if not _is_user(actor):
        return 0
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(read_at=timezone.now())


# --- preferences and webhooks -------------------------------------------------------------------------------


def preferences_update(*, actor: Any, user: User, choices: Mapping[str, Iterable[str]]) -> list[
        selectors.KindPreference]:
    """Set the channels of each kind in ``choices`` (kind code → channels). Kinds left out keep theirs."""
    if getattr(actor, "pk", None) != user.pk:
        raise NotFound("No such user.")
    known = {kind.code for kind in all_kinds()}
    errors: dict[str, list[str]] = {}
    for code, channels in choices.items():
        if code not in known:
            errors.setdefault(code, []).append(_("Unknown notification kind."))
            continue
        unknown = set(channels) - set(Channel.values)
        if unknown:
            errors.setdefault(code, []).append(_("Unknown channel: %(channel)s") % {"channel": sorted(unknown)[0]})
    if errors:
        raise ValidationFailed(_("The notification preferences are invalid."), errors=errors)
    before = {pref.kind.code: pref.channels for pref in selectors.preferences_of(actor=actor, user=user)}
    with transaction.atomic():
        changes = {}
        for code, channels in choices.items():
            chosen = set(channels)
            NotificationPreference.objects.update_or_create(user=user, kind=code, defaults={
                "in_app": Channel.IN_APP in chosen, "email": Channel.EMAIL in chosen,
                "digest": Channel.DIGEST in chosen, "chat": Channel.CHAT in chosen})
            if set(before[code]) != chosen:
                changes[f"notifications.{code}"] = [sorted(before[code]), sorted(chosen)]
        if changes:
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=_real(user), changes=changes,
                         summary="notification preferences")
    return selectors.preferences_of(actor=actor, user=user)


def _checked_webhook_url(url: str) -> str:
    problem = webhook_url_problem(url)
    if problem:
        message = str(WEBHOOK_PROBLEMS[problem])
        raise ValidationFailed(message, errors={"chat_webhook_url": [message]})
    return url.strip()


def chat_webhook_set(*, actor: Any, url: str, user: User | None = None, team: Team | None = None) -> None:
    """Set (or, with an empty ``url``, remove) the chat webhook of ``user`` (only that user) or of ``team``
    (anyone who may change teams). The URL itself is never written to the audit log or to logs."""
    if (user is None) == (team is None):
        raise ValueError("Give exactly one of user and team.")
    if user is not None and getattr(actor, "pk", None) != user.pk:
        raise NotFound("No such user.")
    if team is not None and not can(actor, Action.CHANGE, resource="team"):
        raise PermissionDenied(_("You may not change teams."))
    owner: Model = _real(user) if user is not None else team  # type: ignore[assignment]
    owner_filter = {"user": user} if user is not None else {"team": team}
    with transaction.atomic():
        if not url.strip():
            deleted, _rows = ChatWebhook.objects.filter(**owner_filter).delete()
            if deleted:
                audit_record(actor=actor, action=AuditAction.CHANGE, obj=owner,
                             changes={"chat_webhook": ["set", None]}, summary="chat webhook removed")
            return
        clean = _checked_webhook_url(url)
        _webhook, created = ChatWebhook.objects.update_or_create(**owner_filter, defaults={"url": clean})
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=owner,
                     changes={"chat_webhook": [None if created else "set", "set"]}, summary="chat webhook set")


# --- follows ------------------------------------------------------------------------------------------------


def follow_create(*, actor: Any, obj: Model) -> Follow:
    """``actor`` follows ``obj`` (idempotent). Only records the actor may see can be followed."""
    if not _is_user(actor):
        raise PermissionDenied(_("Only people can follow records."))
    try:
        record_type(obj)
    except LookupError:
        raise NotFound("No such record.") from None
    if not can(actor, Action.VIEW, obj):
        raise NotFound("No such record.")
    content_type = ContentType.objects.get_for_model(type(obj))
    with transaction.atomic():
        follow, created = Follow.objects.get_or_create(user_id=actor.pk, content_type=content_type,
                                                       object_id=obj.pk)
        if created:
            audit_record(actor=actor, action=AuditAction.CREATE, obj=follow,
                         changes={"follows": [None, str(obj)]}, summary="followed")
    return follow


def follow_delete(*, actor: Any, obj: Model) -> bool:
    """``actor`` stops following ``obj``; False if they did not follow it."""
    if not _is_user(actor):
        return False
    content_type = ContentType.objects.get_for_model(type(obj))
    with transaction.atomic():
        follow = Follow.objects.filter(user_id=actor.pk, content_type=content_type, object_id=obj.pk).first()
        if follow is None:
            return False
        audit_record(actor=actor, action=AuditAction.DELETE, obj=follow, changes={"follows": [str(obj), None]},
                     summary="unfollowed")
        follow.delete()
    return True


# --- delivery -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryReport:
    delivered: int
    retrying: int
    failed: int


def _due(now: datetime.datetime) -> Any:
    return DeliveryOutbox.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now), delivered_at__isnull=True, failed_at__isnull=True,
        next_attempt_at__lte=now)


def outbox_claim(*, now: datetime.datetime | None = None, row_ids: Iterable[int] | None = None,
                 limit: int = 100) -> tuple[str, list[DeliveryOutbox]]:
    """Claim up to ``limit`` due rows for this worker: a short lease nobody else may take them under.
    PostgreSQL skips rows another worker is claiming (SELECT … FOR UPDATE SKIP LOCKED); SQLite claims with one
    UPDATE … WHERE the row is still unclaimed and undelivered. Either way a row goes to exactly one worker."""
    now = now or timezone.now()
    token = secrets.token_hex(16)
    due = _due(now)
    if row_ids is not None:
        due = due.filter(pk__in=list(row_ids))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            ids = list(due.select_for_update(skip_locked=True).order_by("next_attempt_at", "id")
                       .values_list("pk", flat=True)[:limit])
            DeliveryOutbox.objects.filter(pk__in=ids).update(claimed_until=now + CLAIM_LEASE, claim_token=token)
        else:
            ids = list(due.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit])
            _due(now).filter(pk__in=ids).update(claimed_until=now + CLAIM_LEASE, claim_token=token)
    rows = list(DeliveryOutbox.objects.filter(claim_token=token).select_related("recipient").order_by("id"))
    return token, rows


def outbox_deliver(*, now: datetime.datetime | None = None, row_ids: Iterable[int] | None = None,
                   limit: int = 100) -> DeliveryReport:
    """Send what is due (or the given rows, when due): claim, send, record the outcome. A delivered row is never
    sent again; a failure is retried after 1, 2, 4… minutes until ``TANDEM_NOTIFY_MAX_ATTEMPTS``, then failed."""
    now = now or timezone.now()
    token, rows = outbox_claim(now=now, row_ids=row_ids, limit=limit)
    delivered = retrying = failed = 0
    for row in rows:
        try:
            _send(row)
        except Exception as error:  # noqa: BLE001 - any failure of a channel is recorded and retried
            attempts = row.attempts + 1
            gave_up = attempts >= settings.NOTIFY_MAX_ATTEMPTS
            DeliveryOutbox.objects.filter(pk=row.pk, claim_token=token).update(
                attempts=attempts, last_error=error_text(error), claimed_until=None, claim_token="",
                next_attempt_at=now + retry_delay(attempts), failed_at=now if gave_up else None)
            logger.warning("Notification delivery %s (%s) failed, attempt %d%s: %s", row.pk, row.channel, attempts,
                           " — giving up" if gave_up else "", error_text(error))
            failed += gave_up
            retrying += not gave_up
        else:
            DeliveryOutbox.objects.filter(pk=row.pk, claim_token=token).update(
                attempts=F("attempts") + 1, delivered_at=timezone.now(), last_error="", claimed_until=None)
            delivered += 1
    return DeliveryReport(delivered=delivered, retrying=retrying, failed=failed)


def outbox_retry(*, actor: Any, row: DeliveryOutbox) -> DeliveryOutbox:
    """An administrator sends a failed delivery again (attempts start over)."""
    if not can(actor, Action.CHANGE, resource="notification_delivery"):
        raise PermissionDenied(_("You may not retry notification deliveries."))
    if row.delivered_at is not None:
        raise ValidationFailed(_("This delivery was already sent."))
    with transaction.atomic():
        DeliveryOutbox.objects.filter(pk=row.pk, delivered_at__isnull=True).update(
            failed_at=None, attempts=0, next_attempt_at=timezone.now(), claimed_until=None, claim_token="")
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=row, changes={"failed_at": [str(row.failed_at),
                                                                                              None]},
                     summary="delivery retried")
        _enqueue_delivery([row.pk])
    row.refresh_from_db()
    return row


def _send(row: DeliveryOutbox) -> None:
    if row.channel == Channel.CHAT:
        urls = selectors.chat_webhook_urls(users=[row.recipient])
        if row.recipient_id not in urls:
            raise RuntimeError("No chat webhook is set for this person or their teams.")
        _post_webhook(urls[row.recipient_id], {"text": row.payload.get("text", "")})
        return
    if row.channel in (Channel.EMAIL, Channel.DIGEST):
        if not row.recipient.email or not row.recipient.is_active:
            raise RuntimeError("The recipient has no usable email address.")
        message = EmailMessage(subject=row.payload.get("subject", ""), body=row.payload.get("text", ""),
                               from_email=settings.DEFAULT_FROM_EMAIL, to=[row.recipient.email],
                               headers={"Auto-Submitted": "auto-generated"})
        message.send(fail_silently=False)
        return
    raise RuntimeError(f"Unknown channel {row.channel}")


def _post_webhook(url: str, payload: dict[str, Any]) -> None:
    """POST ``payload`` as JSON; any answer but 2xx, a timeout or a refused connection raises."""
    if webhook_url_problem(url):  # checked when saved; checked again so nothing but http(s) is ever opened
        raise RuntimeError("The chat webhook address is not a valid http(s) URL.")
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",  # noqa: S310
                                     headers={"Content-Type": "application/json", "User-Agent": "Tandem"})
    try:
        with urllib.request.urlopen(request, timeout=settings.CHAT_TIMEOUT_SECONDS) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"The chat service answered HTTP {error.code}.") from None
    except urllib.error.URLError as error:
        raise RuntimeError(f"The chat service could not be reached ({error.reason}).") from None
    except TimeoutError:
        raise RuntimeError("The chat service did not answer in time.") from None
    if not 200 <= status < 300:
        raise RuntimeError(f"The chat service answered HTTP {status}.")


# --- the daily digest ---------------------------------------------------------------------------------------


def digest_send(*, now: datetime.datetime | None = None, every_user: bool = False) -> int:
    """Queue one digest email per person whose local time is ``TANDEM_DIGEST_HOUR`` (or everyone, with
    ``every_user``) with all their items waiting for the digest; returns how many digests were queued. Items and
    their digest row are marked in one transaction, so an item is in exactly one digest."""
    now = now or timezone.now()
    pending_users = selectors.digest_pending().values_list("recipient_id", flat=True).distinct()
    users = [user for user in User.objects.filter(pk__in=pending_users, is_active=True)
             if every_user or _local_hour(user, now) == settings.DIGEST_HOUR]
    queued = []
    for user in users:
        with transaction.atomic():
            items = list(selectors.digest_pending(user_ids=[user.pk]).select_for_update())
            if not items:
                continue
            row = _digest_row(user, items, now)
            Notification.objects.filter(pk__in=[item.pk for item in items]).update(digested_at=now)
            if row is not None:
                queued.append(row.pk)
    if queued:
        _enqueue_delivery(queued)
    return len(queued)


def _local_hour(user: User, now: datetime.datetime) -> int:
    try:
        zone = zoneinfo.ZoneInfo(user.time_zone or settings.DEFAULT_TIMEZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return now.astimezone(zone).hour


def _digest_row(user: User, items: list[Notification], now: datetime.datetime) -> DeliveryOutbox | None:
    if not user.email:
        return None
    labels = {kind.code: kind.label for kind in all_kinds()}
    with override(language_of(user)):
        sections = digest_sections(DigestItem(kind=item.kind, kind_label=str(labels.get(item.kind, item.kind)),
                                              title=item.title, body=item.body, url=item.url) for item in items)
        subject = _("Your Tandem digest: %(count)d new notifications") % {"count": len(items)}
        text = digest_text(sections, heading=_("What happened since your last digest"), base_url=settings.BASE_URL)
    return DeliveryOutbox.objects.create(recipient=user, channel=Channel.DIGEST,
                                         dedupe_key=f"digest:{user.pk}:{items[-1].pk}",
                                         payload={"subject": subject, "text": text}, next_attempt_at=now)
