"""Reads for notifications and follows. A person only ever reads their own inbox, preferences and follows;
records are seen through the access module (``restrict``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _

from tandem.access.choices import Action
from tandem.access.decide import can, restrict
from tandem.access.registry import resource_for_model
from tandem.core.exceptions import NotFound, PermissionDenied
from tandem.identity.models import Team, User
from tandem.identity.selectors import team_get
from tandem.notifications.choices import Channel
from tandem.notifications.kinds import Kind, all_kinds, get_kind
from tandem.notifications.models import ChatWebhook, DeliveryOutbox, Follow, Notification, NotificationPreference
from tandem.notifications.records import record_type, record_url

INBOX_PAGE = 50


def _own(actor: Any) -> Q:
    """A person's own rows; the system actor and anonymous users have none."""
    if getattr(actor, "pk", None) is None or not getattr(actor, "is_authenticated", False):
        return Q(pk__in=[])
    return Q(recipient_id=actor.pk)


def notification_list(*, actor: Any, unread_only: bool = False) -> QuerySet[Notification]:
    """The notifications in ``actor``'s inbox, newest first."""
    notifications = Notification.objects.filter(_own(actor), in_inbox=True).select_related("actor")
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


def notification_get(*, actor: Any, public_id: str) -> Notification:
    notification = notification_list(actor=actor).filter(public_id=public_id).first()
    if notification is None:
        raise NotFound("No such notification.")
    return notification


def unread_count(*, actor: Any) -> int:
    return Notification.objects.filter(_own(actor), in_inbox=True, read_at__isnull=True).count()


@dataclass(frozen=True)
class Inbox:
    unread: list[Notification]
    read: list[Notification]
    unread_total: int


def inbox(*, actor: Any, limit: int = INBOX_PAGE) -> Inbox:
    """Unread items first (all of them up to ``limit``), then the most recent read ones."""
    unread = list(notification_list(actor=actor, unread_only=True)[:limit])
    read = list(notification_list(actor=actor).filter(read_at__isnull=False)[:max(limit - len(unread), 10)])
    total = len(unread) if len(unread) < limit else unread_count(actor=actor)
    return Inbox(unread=unread, read=read, unread_total=total)


@dataclass(frozen=True)
class KindPreference:
    kind: Kind
    channels: frozenset[str]
    customised: bool  # False when the kind's defaults apply

    def has(self, channel: str) -> bool:
        return channel in self.channels


def preferences_of(*, actor: Any, user: User) -> list[KindPreference]:
    """Every registered kind with the channels ``user`` gets it on. Only the user may read them."""
    if getattr(actor, "pk", None) != user.pk and not getattr(actor, "is_system", False):
        raise NotFound("No such user.")
    rows = {row.kind: row for row in NotificationPreference.objects.filter(user=user)}
    return [KindPreference(kind=kind, channels=rows[kind.code].channels if kind.code in rows
                           else kind.default_channels, customised=kind.code in rows)
            for kind in all_kinds()]


def channels_for(*, users: Iterable[User], kind: str) -> dict[int, frozenset[str]]:
    """Each user's channels for ``kind`` (one query for all of them)."""
    default = get_kind(kind).default_channels
    ids = [user.pk for user in users]
    chosen = {row.user_id: row.channels for row in NotificationPreference.objects.filter(user_id__in=ids, kind=kind)}
    return {user_id: chosen.get(user_id, default) for user_id in ids}


def chat_webhook_urls(*, users: Iterable[User]) -> dict[int, str]:
    """The webhook each user's chat messages go to: their own, else the first of their teams' (two queries)."""
    ids = [user.pk for user in users]
    urls: dict[int, str] = {}
    for user_id, url in ChatWebhook.objects.filter(user_id__in=ids).values_list("user_id", "url"):
        urls[user_id] = url
    missing = [user_id for user_id in ids if user_id not in urls]
    if missing:
        memberships = Team.members.through.objects.filter(user_id__in=missing, team__chat_webhook__isnull=False)
        rows = memberships.values_list("user_id", "team__chat_webhook__url").order_by("team__name")
        for user_id, url in rows:
            urls.setdefault(user_id, url)
    return urls


def chat_webhook_of(*, user: User | None = None, team: Team | None = None) -> ChatWebhook | None:
    """The webhook set for ``user`` or for ``team`` (give one)."""
    if (user is None) == (team is None):
        raise ValueError("Give exactly one of user and team.")
    return ChatWebhook.objects.filter(**({"user": user} if user is not None else {"team": team})).first()


def team_for_webhook(*, actor: Any, public_id: str) -> Team:
    """The team whose chat webhook ``actor`` means to read or set: NotFound if they may not see it,
    PermissionDenied if they may see it but not change teams."""
    team = team_get(actor=actor, public_id=public_id)
    if not can(actor, Action.CHANGE, resource="team"):
        raise PermissionDenied(_("You may not change teams."))
    return team


def followers_of(obj: Model) -> QuerySet[User]:
    """The active users following ``obj``."""
    content_type = ContentType.objects.get_for_model(type(obj))
    follows = Follow.objects.filter(content_type=content_type, object_id=obj.pk)
    return User.objects.filter(is_active=True, pk__in=follows.values("user_id"))


def is_following(*, user: Any, obj: Model) -> bool:
    if getattr(user, "pk", None) is None:
        return False
    content_type = ContentType.objects.get_for_model(type(obj))
    return Follow.objects.filter(user_id=user.pk, content_type=content_type, object_id=obj.pk).exists()


@dataclass(frozen=True)
class FollowedRecord:
    follow: Follow
    record: Model
    object_type: str
    title: str
    url: str


def _own_follows(actor: Any) -> Q:
    pk = getattr(actor, "pk", None)
    return Q(user_id=pk) if pk is not None else Q(pk__in=[])


def follow_rows(*, actor: Any) -> QuerySet[Follow]:
    """``actor``'s follow rows (records they may no longer see included; ``follow_list`` leaves those out)."""
    return Follow.objects.filter(_own_follows(actor))


def follow_list(*, actor: Any) -> list[FollowedRecord]:
    """What ``actor`` follows and may still see, newest first (one query per record type)."""
    follows = list(Follow.objects.filter(_own_follows(actor)).select_related("content_type"))
    by_type: dict[int, list[Follow]] = defaultdict(list)
    for follow in follows:
        by_type[follow.content_type_id].append(follow)
    records: dict[tuple[int, int], Model] = {}
    for content_type_id, group in by_type.items():
        model = group[0].content_type.model_class()
        if model is None:
            continue
        try:
            resource_for_model(model)
        except LookupError:
            continue
        visible = restrict(model._default_manager.all(), actor, Action.VIEW).filter(
            pk__in=[follow.object_id for follow in group])
        for record in visible:
            records[(content_type_id, record.pk)] = record
    result = []
    for follow in follows:
        record = records.get((follow.content_type_id, follow.object_id))
        if record is not None:
            result.append(FollowedRecord(follow=follow, record=record, object_type=record_type(record),
                                         title=str(record), url=record_url(record)))
    return result


def outbox_failed(*, actor: Any) -> QuerySet[DeliveryOutbox]:
    """Deliveries that gave up, for administrators."""
    if not can(actor, Action.VIEW, resource="notification_delivery"):
        raise PermissionDenied("You may not see notification deliveries.")
    return DeliveryOutbox.objects.filter(failed_at__isnull=False).select_related("recipient").order_by(
        "-failed_at", "-id")


def outbox_pending_count(*, actor: Any) -> int:
    if not can(actor, Action.VIEW, resource="notification_delivery"):
        raise PermissionDenied("You may not see notification deliveries.")
    return DeliveryOutbox.objects.filter(delivered_at__isnull=True, failed_at__isnull=True).count()


def outbox_row_get(*, actor: Any, row_id: int) -> DeliveryOutbox:
    if not can(actor, Action.VIEW, resource="notification_delivery"):
        raise NotFound("No such delivery.")
    row = DeliveryOutbox.objects.filter(pk=row_id).first()
    if row is None:
        raise NotFound("No such delivery.")
    return row


def digest_pending(*, user_ids: Iterable[int] | None = None) -> QuerySet[Notification]:
    """Notifications waiting for their recipient's daily digest (for the digest job, not for people)."""
    pending = Notification.objects.filter(in_digest=True, digested_at__isnull=True)
    if user_ids is not None:
        pending = pending.filter(recipient_id__in=list(user_ids))
    return pending.order_by("recipient_id", "created_at", "id")


ALL_CHANNELS = tuple(str(channel) for channel in Channel.values)
