"""Timeline API: /api/v1/activities."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Query, Router
from ninja.responses import Status

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts import selectors as account_selectors
from tandem.api.auth import api_actor
from tandem.api.pagination import paginate
from tandem.contacts import selectors as contact_selectors
from tandem.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from tandem.identity.requests import AuthedRequest
from tandem.timeline import selectors, services
from tandem.timeline.choices import ActivityType
from tandem.timeline.models import Activity
from tandem.timeline.schemas import ActivityIn, ActivityOut, ActivityPage, ActivityPatch

router = Router(tags=["timeline"])


def _ref(obj: Any, name: str) -> dict[str, str]:
    return {"id": obj.public_id, "name": name}


def _out(activity: Activity, related: selectors.Related | None = None) -> dict[str, Any]:
    """One activity; ``related`` (for a page) saves the per-activity queries for its people and files."""
    if related is None:
        related = selectors.activity_related(activity_ids=[activity.pk])
    source = None
    if activity.source_type is not None:
        source = {"type": f"{activity.source_type.app_label}.{activity.source_type.model}",
                  "id": str(activity.source_id)}
    return {
        "id": activity.public_id,
        "account": _ref(activity.account, activity.account.name),
        "contacts": [{"id": key, "name": name} for key, name in related.contacts.get(activity.pk, [])],
        "participants": [{"id": key, "name": name} for key, name in related.participants.get(activity.pk, [])],
        "attachments": [{"id": key, "name": name, "size": size}
                        for key, name, size in related.attachments.get(activity.pk, [])],
        "created_by": _ref(activity.created_by, str(activity.created_by)) if activity.created_by else None,
        "recorded_by_tandem": activity.is_recorded_by_tandem,
        "source": source,
        **{name: getattr(activity, name) for name in ("type", "direction", "occurred_at", "subject", "body",
                                                      "body_html", "payload", "created_at", "updated_at")},
    }


def _unknown(field: str, error: NotFound) -> ValidationFailed:
    return ValidationFailed(f"Unknown {field}.", errors={field: [error.message]})


def _account(actor: Any, public_id: str) -> Any:
    try:
        return account_selectors.account_get(actor=actor, public_id=public_id)
    except NotFound:
        raise ValidationFailed("Unknown account.",
                               errors={"account": [f"No visible account with id {public_id}."]}) from None


def _people(actor: Any, fields: dict[str, Any]) -> dict[str, Any]:
    """Public ids of contacts, participants and attachments turned into records (422 naming the unknown one)."""
    resolved: dict[str, Any] = {}
    lookups = {"contacts": lambda ids: selectors.contacts_by_public_id(actor=actor, public_ids=ids),
               "participants": lambda ids: selectors.users_by_public_id(public_ids=ids),
               "attachments": lambda ids: selectors.files_by_public_id(actor=actor, public_ids=ids)}
    for name, lookup in lookups.items():
        if fields.get(name) is not None:
            try:
                resolved[name] = lookup(fields[name])
            except NotFound as error:
                raise _unknown(name, error) from None
    return resolved


def _since_until(since: datetime | None, until: datetime | None) -> None:
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise ValidationFailed("Give times with an offset.", errors={name: ["Needs a UTC offset, e.g. Z."]})
    if since and until and until <= since:
        raise ValidationFailed("until is not after since.", errors={"until": ["Must be after since."]})


@router.get("", response=ActivityPage, operation_id="timeline_activity_list")
def activity_list(request: AuthedRequest, limit: int | None = None, cursor: str | None = None,
                  account: str | None = None, include_children: bool = False, contact: str | None = None,
                  type: list[ActivityType] = Query([]), person: str | None = None, since: datetime | None = None,
                  until: datetime | None = None) -> dict[str, Any]:
    """The visible activities, newest first (``occurred_at``, then id). ``account`` narrows to one account's
    timeline (``include_children=true`` adds every visible account below it); ``contact`` to activities with
    that contact; ``type`` is repeatable; ``person`` is a user (public id, email or ``me``) who logged or took
    part; ``since`` (inclusive) and ``until`` (exclusive) bound ``occurred_at``."""
    actor = api_actor(request, scope="activities:read")
    _since_until(since, until)
    account_ids = None
    if account:
        try:
            found = account_selectors.account_get(actor=actor, public_id=account)
        except NotFound:
            raise _unknown("account", NotFound(f"No visible account with id {account}.")) from None
        account_ids = selectors.feed_account_ids(actor=actor, account=found, include_children=include_children)
    contact_id = None
    if contact:
        try:
            contact_id = contact_selectors.contact_get(actor=actor, public_id=contact).pk
        except NotFound:
            raise _unknown("contact", NotFound(f"No visible contact with id {contact}.")) from None
    user_id = None
    if person:
        user = selectors.user_by_reference(reference=person, actor=actor)
        if user is None:
            raise _unknown("person", NotFound(f"No user {person}."))
        user_id = user.pk
    filters = selectors.ActivityFilters(account_ids=account_ids, contact_id=contact_id, user_id=user_id,
                                        types=tuple(type), since=since, until=until)
    page = paginate(selectors.activity_list(actor=actor, filters=filters).prefetch_related(None),
                    ordering=selectors.FEED_ORDERING, limit=limit, cursor=cursor)
    related = selectors.activity_related(activity_ids=[activity.pk for activity in page.items])
    return {"items": [_out(activity, related) for activity in page.items], "next_cursor": page.next_cursor}


@router.post("", response={201: ActivityOut}, operation_id="timeline_activity_create")
def activity_create(request: AuthedRequest, payload: ActivityIn) -> Status:
    """Log a call, an email, a meeting, a note or a chat. Stage changes, ticket and system events are recorded
    by Tandem and refused here (422)."""
    actor = api_actor(request, scope="activities:write")
    if not can(actor, Action.CREATE, resource="activity"):
        raise PermissionDenied("You may not log activities.")
    fields = payload.dict()
    activity = services.activity_log(
        actor=actor, account=_account(actor, payload.account), type=fields["type"], direction=fields["direction"],
        occurred_at=fields["occurred_at"], subject=fields["subject"], body=fields["body"], **_people(actor, fields))
    return Status(201, _out(selectors.activity_get(actor=actor, public_id=activity.public_id)))


@router.get("/{activity_id}", response=ActivityOut, operation_id="timeline_activity_get")
def activity_get(request: AuthedRequest, activity_id: str) -> dict[str, Any]:
    actor = api_actor(request, scope="activities:read")
    return _out(selectors.activity_get(actor=actor, public_id=activity_id))


@router.patch("/{activity_id}", response=ActivityOut, operation_id="timeline_activity_update")
def activity_update(request: AuthedRequest, activity_id: str, payload: ActivityPatch) -> dict[str, Any]:
    actor = api_actor(request, scope="activities:write")
    activity = selectors.activity_get(actor=actor, public_id=activity_id)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    for name in list(changes):
        if changes[name] is None:
            raise ValidationFailed("This field cannot be null.", errors={name: ["May not be null."]})
    changes.update(_people(actor, changes))
    services.activity_update(actor=actor, activity=activity, **changes)
    return _out(selectors.activity_get(actor=actor, public_id=activity_id))


@router.delete("/{activity_id}", response={204: None}, operation_id="timeline_activity_delete")
def activity_delete(request: AuthedRequest, activity_id: str) -> Status:
    actor = api_actor(request, scope="activities:write")
    services.activity_delete(actor=actor, activity=selectors.activity_get(actor=actor, public_id=activity_id))
    return Status(204, None)
