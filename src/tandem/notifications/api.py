"""Notifications API: /api/v1/notifications, /api/v1/notification-preferences, /api/v1/follows and
/api/v1/teams/{team_id}/chat-webhook."""

from __future__ import annotations

from typing import Any

from ninja import Router
from ninja.responses import Status

from tandem.api.auth import api_actor
from tandem.api.pagination import paginate
from tandem.core.exceptions import NotFound, ValidationFailed
from tandem.identity.models import Team
from tandem.identity.requests import AuthedRequest
from tandem.notifications import records, selectors, services
from tandem.notifications.logic import masked_url
from tandem.notifications.models import Notification
from tandem.notifications.schemas import (
    FollowIn,
    FollowOut,
    FollowPage,
    NotificationOut,
    NotificationPage,
    PreferencesIn,
    PreferencesOut,
    ReadAllOut,
    TeamChatWebhookIn,
    TeamChatWebhookOut,
    UnreadCountOut,
)

router = Router(tags=["notifications"])
preferences_router = Router(tags=["notifications"])
follows_router = Router(tags=["notifications"])
team_webhooks_router = Router(tags=["notifications"])


def _out(notification: Notification) -> dict[str, Any]:
    actor = notification.actor
    source = notification.source_type
    return {"id": notification.public_id, "kind": notification.kind, "title": notification.title,
            "body": notification.body, "url": notification.url,
            "source_type": source.model if source is not None else None,
            "actor": {"id": actor.public_id, "name": str(actor)} if actor is not None else None,
            "created_at": notification.created_at, "read_at": notification.read_at,
            "unread": notification.read_at is None}


@router.get("", response=NotificationPage, operation_id="notifications_notification_list")
def notification_list(request: AuthedRequest, limit: int | None = None, cursor: str | None = None,
                      unread: bool | None = None) -> dict[str, Any]:
    """The caller's own notifications, newest first; ``unread=true`` for unread ones only."""
    actor = api_actor(request, scope="notifications:read")
    notifications = selectors.notification_list(actor=actor, unread_only=bool(unread))
    if unread is False:
        notifications = notifications.filter(read_at__isnull=False)
    page = paginate(notifications.select_related("source_type"), ordering=("-created_at", "-id"), limit=limit,
                    cursor=cursor)
    return {"items": [_out(item) for item in page.items], "next_cursor": page.next_cursor}


@router.get("/unread-count", response=UnreadCountOut, operation_id="notifications_inbox_count")
def notification_unread_count(request: AuthedRequest) -> dict[str, Any]:
    actor = api_actor(request, scope="notifications:read")
    return {"unread": selectors.unread_count(actor=actor)}


@router.post("/read-all", response=ReadAllOut, operation_id="notifications_inbox_read")
def notification_read_all(request: AuthedRequest) -> dict[str, Any]:
    actor = api_actor(request, scope="notifications:write")
    return {"marked_read": services.notification_mark_all_read(actor=actor)}


@router.get("/{notification_id}", response=NotificationOut, operation_id="notifications_notification_get")
def notification_get(request: AuthedRequest, notification_id: str) -> dict[str, Any]:
    actor = api_actor(request, scope="notifications:read")
    return _out(selectors.notification_get(actor=actor, public_id=notification_id))


@router.post("/{notification_id}/read", response=NotificationOut, operation_id="notifications_notification_read")
def notification_read(request: AuthedRequest, notification_id: str) -> dict[str, Any]:
    actor = api_actor(request, scope="notifications:write")
    notification = selectors.notification_get(actor=actor, public_id=notification_id)
    return _out(services.notification_mark_read(actor=actor, notification=notification))


def _preferences_out(actor: Any) -> dict[str, Any]:
    webhook = selectors.chat_webhook_of(user=actor)
    return {"kinds": [{"kind": pref.kind.code, "label": str(pref.kind.label), "channels": sorted(pref.channels),
                       "customised": pref.customised}
                      for pref in selectors.preferences_of(actor=actor, user=actor)],
            "chat_webhook": masked_url(webhook.url) if webhook else None}


@preferences_router.get("", response=PreferencesOut, operation_id="notifications_preference_get")
def preference_get(request: AuthedRequest) -> dict[str, Any]:
    actor = api_actor(request, scope="notifications:read")
    return _preferences_out(actor)


@preferences_router.put("", response=PreferencesOut, operation_id="notifications_preference_update")
def preference_update(request: AuthedRequest, payload: PreferencesIn) -> dict[str, Any]:
    """Set the channels of the kinds given (others keep theirs) and, optionally, the caller's chat webhook."""
    actor = api_actor(request, scope="notifications:write")
    choices: dict[str, list[str]] = {}
    for index, item in enumerate(payload.kinds):
        if item.kind in choices:
            raise ValidationFailed("A kind is listed twice.", errors={f"kinds.{index}.kind": ["Listed twice."]})
        choices[item.kind] = item.channels
    try:
        services.preferences_update(actor=actor, user=actor, choices=choices)
    except ValidationFailed as error:
        positions = {item.kind: index for index, item in enumerate(payload.kinds)}
        raise ValidationFailed(error.message, errors={
            f"kinds.{positions.get(key, 0)}.channels" if key in positions else key: value
            for key, value in error.errors.items()}) from None
    if payload.chat_webhook_url is not None:
        services.chat_webhook_set(actor=actor, user=actor, url=payload.chat_webhook_url)
    return _preferences_out(actor)


def _follow_out(item: selectors.FollowedRecord) -> dict[str, Any]:
    public_id = item.record.public_id  # type: ignore[attr-defined]
    return {"id": f"{item.object_type}:{public_id}", "object_type": item.object_type, "object_id": public_id,
            "title": item.title, "url": item.url, "created_at": item.follow.created_at}


@follows_router.get("", response=FollowPage, operation_id="notifications_follow_list")
def follow_list(request: AuthedRequest, limit: int | None = None, cursor: str | None = None) -> dict[str, Any]:
    """The records the caller follows and may still see, newest first."""
    actor = api_actor(request, scope="notifications:read")
    followed = {item.follow.pk: item for item in selectors.follow_list(actor=actor)}
    page = paginate(selectors.follow_rows(actor=actor).filter(pk__in=list(followed)),
                    ordering=("-created_at", "-id"), limit=limit, cursor=cursor)
    return {"items": [_follow_out(followed[follow.pk]) for follow in page.items], "next_cursor": page.next_cursor}


@follows_router.post("", response={201: FollowOut}, operation_id="notifications_follow_create")
def follow_create(request: AuthedRequest, payload: FollowIn) -> Status:
    actor = api_actor(request, scope="notifications:write")
    record = records.record_get(actor=actor, object_type=payload.object_type, object_id=payload.object_id)
    follow = services.follow_create(actor=actor, obj=record)
    item = selectors.FollowedRecord(follow=follow, record=record, object_type=records.record_type(record),
                                    title=str(record), url=records.record_url(record))
    return Status(201, _follow_out(item))


@follows_router.delete("/{object_type}/{object_id}", response={204: None}, operation_id="notifications_follow_delete")
def follow_delete(request: AuthedRequest, object_type: str, object_id: str) -> Status:
    """Stop following a record (404 if the caller did not follow it or cannot see it)."""
    actor = api_actor(request, scope="notifications:write")
    record = records.record_get(actor=actor, object_type=object_type, object_id=object_id)
    if not services.follow_delete(actor=actor, obj=record):
        raise NotFound("You do not follow this record.")
    return Status(204, None)


def _team_webhook_out(team: Team) -> dict[str, Any]:
    webhook = selectors.chat_webhook_of(team=team)
    return {"team_id": team.public_id, "team": team.name, "chat_webhook": masked_url(webhook.url) if webhook else None}


@team_webhooks_router.get("/{team_id}/chat-webhook", response=TeamChatWebhookOut,
                          operation_id="notifications_teamwebhook_get")
def team_webhook_get(request: AuthedRequest, team_id: str) -> dict[str, Any]:
    """The team's chat webhook, masked to its scheme and host (for people who may change teams)."""
    actor = api_actor(request, scope="notifications:read")
    return _team_webhook_out(selectors.team_for_webhook(actor=actor, public_id=team_id))


@team_webhooks_router.put("/{team_id}/chat-webhook", response=TeamChatWebhookOut,
                          operation_id="notifications_teamwebhook_update")
def team_webhook_update(request: AuthedRequest, team_id: str, payload: TeamChatWebhookIn) -> dict[str, Any]:
    """Set the team's chat webhook; an empty ``url`` or null removes it. The answer shows only the masked URL."""
    actor = api_actor(request, scope="notifications:write")
    team = selectors.team_for_webhook(actor=actor, public_id=team_id)
    try:
        services.chat_webhook_set(actor=actor, team=team, url=payload.url or "")
    except ValidationFailed as error:
        raise ValidationFailed(error.message, errors={"url": error.errors.get("chat_webhook_url", [error.message])}
                               ) from None
    return _team_webhook_out(team)
