"""Collaboration API: /api/v1/comments, /api/v1/handoffs, /api/v1/handoff-templates."""

from __future__ import annotations

from typing import Any

from ninja import Router
from ninja.responses import Status

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts import selectors as account_selectors
from tandem.api.auth import api_actor
from tandem.api.pagination import paginate
from tandem.collaboration import selectors, services
from tandem.collaboration.choices import HandoffStatus
from tandem.collaboration.models import Comment, Handoff, HandoffTemplate
from tandem.collaboration.registry import commentable_for_model
from tandem.collaboration.schemas import (
    CommentIn,
    CommentOut,
    CommentPage,
    CommentPatch,
    HandoffDeclineIn,
    HandoffIn,
    HandoffOut,
    HandoffPage,
    HandoffPatch,
    HandoffTemplateIn,
    HandoffTemplateOut,
    HandoffTemplatePage,
    HandoffTemplatePatch,
)
from tandem.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from tandem.identity.requests import AuthedRequest

comments_router = Router(tags=["collaboration"])
handoffs_router = Router(tags=["collaboration"])
templates_router = Router(tags=["collaboration"])


def _ref(obj: Any) -> dict[str, str] | None:
    return {"id": obj.public_id, "name": str(obj)} if obj is not None else None


# --- comments --------------------------------------------------------------------------------------------


def _comment_out(comment: Comment) -> dict[str, Any]:
    record = comment.target
    return {
        "id": comment.public_id,
        "object_type": commentable_for_model(type(record)).resource_name if record is not None else "",
        "object_id": getattr(record, "public_id", ""),
        "parent": comment.parent.public_id if comment.parent_id and comment.parent else None,
        "author": _ref(comment.author),
        "mentions": [_ref(mention.user) for mention in comment.mentions.all()],
        "url": services.comment_url(comment),
        **{name: getattr(comment, name) for name in ("body", "body_html", "created_at", "updated_at", "edited_at")},
    }


def _record(actor: Any, object_type: str, object_id: str) -> Any:
    if not object_type:
        raise ValidationFailed("Say what to comment on.", errors={"object_type": ["Required, e.g. account."]})
    try:
        return selectors.record_get(actor=actor, object_type=object_type, object_id=object_id)
    except NotFound:
        if object_type not in {"account", "contact", "activity"} and not _known_type(object_type):
            raise ValidationFailed("Unknown record type.", errors={
                "object_type": [f"{object_type!r} records cannot be commented on."]}) from None
        raise ValidationFailed("Unknown record.", errors={
            "object_id": [f"No visible {object_type} with id {object_id}."]}) from None


def _known_type(object_type: str) -> bool:
    from tandem.collaboration.registry import all_commentables

    return any(item.resource_name == object_type for item in all_commentables())


@comments_router.get("", response=CommentPage, operation_id="collaboration_comment_list")
def comment_list(request: AuthedRequest, object_type: str = "", object_id: str = "", limit: int | None = None,
                 cursor: str | None = None) -> dict[str, Any]:
    """The comments the caller may read, oldest first: on one record (``object_type`` and ``object_id``, e.g.
    ``account`` and its id) or on every record the caller may view."""
    actor = api_actor(request, scope="comments:read")
    record = None
    if object_type or object_id:
        try:
            record = selectors.record_get(actor=actor, object_type=object_type, object_id=object_id)
        except NotFound:
            return {"items": [], "next_cursor": None}
    comments = selectors.comment_list(actor=actor, record=record).select_related("parent").prefetch_related("target")
    page = paginate(comments, ordering=("created_at", "id"), limit=limit, cursor=cursor)
    return {"items": [_comment_out(comment) for comment in page.items], "next_cursor": page.next_cursor}


@comments_router.post("", response={201: CommentOut}, operation_id="collaboration_comment_create")
def comment_create(request: AuthedRequest, payload: CommentIn) -> Status:
    """Comment on a record. Mention people as ``@[Full Name](user-id)``; each is notified once. Mentioning
    someone who cannot see the record is refused (422, naming them) and nothing is saved."""
    actor = api_actor(request, scope="comments:write")
    if not can(actor, Action.CREATE, resource="comment"):
        raise PermissionDenied("You may not comment.")
    record = _record(actor, payload.object_type, payload.object_id)
    parent = None
    if payload.parent:
        try:
            parent = selectors.comment_get(actor=actor, public_id=payload.parent)
        except NotFound:
            raise ValidationFailed("Unknown comment.", errors={"parent": [f"No comment with id {payload.parent}."]}
                                   ) from None
    comment = services.comment_post(actor=actor, record=record, body=payload.body, parent=parent)
    return Status(201, _comment_out(selectors.comment_get(actor=actor, public_id=comment.public_id)))


@comments_router.get("/{comment_id}", response=CommentOut, operation_id="collaboration_comment_get")
def comment_get(request: AuthedRequest, comment_id: str) -> dict[str, Any]:
    actor = api_actor(request, scope="comments:read")
    return _comment_out(selectors.comment_get(actor=actor, public_id=comment_id))


@comments_router.patch("/{comment_id}", response=CommentOut, operation_id="collaboration_comment_update")
def comment_update(request: AuthedRequest, comment_id: str, payload: CommentPatch) -> dict[str, Any]:
    """Change the text of your comment (administrators: any). Newly mentioned people are notified; nobody is
    notified twice of the same comment."""
    actor = api_actor(request, scope="comments:write")
    comment = selectors.comment_get(actor=actor, public_id=comment_id)
    if not can(actor, Action.CHANGE, comment):
        raise PermissionDenied("You may only edit your own comments.")
    if payload.body is None:
        return _comment_out(comment)
    services.comment_update(actor=actor, comment=comment, body=payload.body)
    return _comment_out(selectors.comment_get(actor=actor, public_id=comment_id))


@comments_router.delete("/{comment_id}", response={204: None}, operation_id="collaboration_comment_delete")
def comment_delete(request: AuthedRequest, comment_id: str) -> Status:
    actor = api_actor(request, scope="comments:write")
    services.comment_delete(actor=actor, comment=selectors.comment_get(actor=actor, public_id=comment_id))
    return Status(204, None)


# --- handoffs --------------------------------------------------------------------------------------------


def _handoff_out(handoff: Handoff) -> dict[str, Any]:
    return {
        "id": handoff.public_id,
        "account": _ref(handoff.account),
        "from_user": _ref(handoff.from_user),
        "from_role": handoff.from_role.code,
        "to_user": _ref(handoff.to_user),
        "to_role": handoff.to_role.code,
        "template": handoff.template.public_id if handoff.template else None,
        "checklist": [{"index": index, **item} for index, item in enumerate(handoff.checklist)],
        **{name: getattr(handoff, name) for name in ("note", "assign_seat", "status", "decline_reason", "created_at",
                                                     "updated_at", "closed_at")},
    }


@handoffs_router.get("", response=HandoffPage, operation_id="collaboration_handoff_list")
def handoff_list(request: AuthedRequest, mine: bool = False, account: str = "", status: HandoffStatus | None = None,
                 limit: int | None = None, cursor: str | None = None) -> dict[str, Any]:
    """Visible handoffs, newest first. ``mine=true``: those I send or receive; ``account``: of one account;
    ``status``: pending, accepted, declined or cancelled."""
    actor = api_actor(request, scope="handoffs:read")
    account_obj = None
    if account:
        try:
            account_obj = account_selectors.account_get(actor=actor, public_id=account)
        except NotFound:
            return {"items": [], "next_cursor": None}
    handoffs = selectors.handoff_list(actor=actor, filters=selectors.HandoffFilters(
        mine=mine, account=account_obj, status=status or ""))
    page = paginate(handoffs, ordering=("-created_at", "-id"), limit=limit, cursor=cursor)
    return {"items": [_handoff_out(handoff) for handoff in page.items], "next_cursor": page.next_cursor}


@handoffs_router.post("", response={201: HandoffOut}, operation_id="collaboration_handoff_create")
def handoff_create(request: AuthedRequest, payload: HandoffIn) -> Status:
    """Start a handoff of an account from the caller (holding ``from_role``) to ``to_user`` (holding
    ``to_role``), with the transition's checklist. 409 while another handoff to that role is open."""
    actor = api_actor(request, scope="handoffs:write")
    if not can(actor, Action.CREATE, resource="handoff"):
        raise PermissionDenied("You may not start handoffs.")
    try:
        account = account_selectors.account_get(actor=actor, public_id=payload.account)
    except NotFound:
        raise ValidationFailed("Unknown account.", errors={
            "account": [f"No visible account with id {payload.account}."]}) from None
    to_user = selectors.users_by_public_id(public_ids=[payload.to_user]).get(payload.to_user) \
        if payload.to_user else None
    if payload.to_user and to_user is None:
        raise ValidationFailed("Unknown user.", errors={"to_user": [f"No user with id {payload.to_user}."]})
    handoff = services.handoff_start(actor=actor, account=account, to_user=to_user, to_role_code=payload.to_role,
                                     from_role_code=payload.from_role, note=payload.note,
                                     assign_seat=payload.assign_seat)
    return Status(201, _handoff_out(selectors.handoff_get(actor=actor, public_id=handoff.public_id)))


@handoffs_router.get("/{handoff_id}", response=HandoffOut, operation_id="collaboration_handoff_get")
def handoff_get(request: AuthedRequest, handoff_id: str) -> dict[str, Any]:
    actor = api_actor(request, scope="handoffs:read")
    return _handoff_out(selectors.handoff_get(actor=actor, public_id=handoff_id))


@handoffs_router.patch("/{handoff_id}", response=HandoffOut, operation_id="collaboration_handoff_update")
def handoff_update(request: AuthedRequest, handoff_id: str, payload: HandoffPatch) -> dict[str, Any]:
    """Tick or untick checklist items: ``{"checklist": [{"index": 0, "done": true}]}``."""
    actor = api_actor(request, scope="handoffs:write")
    handoff = selectors.handoff_get(actor=actor, public_id=handoff_id)
    if not can(actor, Action.CHANGE, handoff):
        raise PermissionDenied("You may not change this handoff.")
    if payload.checklist:
        services.handoff_tick(actor=actor, handoff=handoff, items={tick.index: tick.done for tick in payload.checklist})
    return _handoff_out(selectors.handoff_get(actor=actor, public_id=handoff_id))


@handoffs_router.delete("/{handoff_id}", response={204: None}, operation_id="collaboration_handoff_delete")
def handoff_delete(request: AuthedRequest, handoff_id: str) -> Status:
    """Cancel an open handoff (the same as POST …/cancel; the handoff stays in the history as cancelled)."""
    actor = api_actor(request, scope="handoffs:write")
    services.handoff_cancel(actor=actor, handoff=selectors.handoff_get(actor=actor, public_id=handoff_id))
    return Status(204, None)


@handoffs_router.post("/{handoff_id}/accept", response=HandoffOut, operation_id="collaboration_handoff_accept")
def handoff_accept(request: AuthedRequest, handoff_id: str) -> dict[str, Any]:
    """The receiver accepts (every checklist item must be ticked); with ``assign_seat`` they get the seat."""
    actor = api_actor(request, scope="handoffs:write")
    services.handoff_accept(actor=actor, handoff=selectors.handoff_get(actor=actor, public_id=handoff_id))
    return _handoff_out(selectors.handoff_get(actor=actor, public_id=handoff_id))


@handoffs_router.post("/{handoff_id}/decline", response=HandoffOut, operation_id="collaboration_handoff_decline")
def handoff_decline(request: AuthedRequest, handoff_id: str, payload: HandoffDeclineIn) -> dict[str, Any]:
    """The receiver declines; ``reason`` is required."""
    actor = api_actor(request, scope="handoffs:write")
    services.handoff_decline(actor=actor, handoff=selectors.handoff_get(actor=actor, public_id=handoff_id),
                             reason=payload.reason)
    return _handoff_out(selectors.handoff_get(actor=actor, public_id=handoff_id))


@handoffs_router.post("/{handoff_id}/cancel", response=HandoffOut, operation_id="collaboration_handoff_cancel")
def handoff_cancel(request: AuthedRequest, handoff_id: str) -> dict[str, Any]:
    actor = api_actor(request, scope="handoffs:write")
    services.handoff_cancel(actor=actor, handoff=selectors.handoff_get(actor=actor, public_id=handoff_id))
    return _handoff_out(selectors.handoff_get(actor=actor, public_id=handoff_id))


# --- handoff templates -----------------------------------------------------------------------------------


def _template_out(template: HandoffTemplate) -> dict[str, Any]:
    return {"id": template.public_id, "from_role": template.from_role.code, "to_role": template.to_role.code,
            **{name: getattr(template, name) for name in ("name", "description", "checklist", "is_active")}}


@templates_router.get("", response=HandoffTemplatePage, operation_id="collaboration_handofftemplate_list")
def handoff_template_list(request: AuthedRequest, limit: int | None = None,
                          cursor: str | None = None) -> dict[str, Any]:
    actor = api_actor(request, scope="handoffs:read")
    page = paginate(selectors.handoff_template_list(actor=actor), ordering=("id",), limit=limit, cursor=cursor)
    return {"items": [_template_out(template) for template in page.items], "next_cursor": page.next_cursor}


@templates_router.post("", response={201: HandoffTemplateOut}, operation_id="collaboration_handofftemplate_create")
def handoff_template_create(request: AuthedRequest, payload: HandoffTemplateIn) -> Status:
    """Administrators: a checklist for a new transition (one template per pair of roles)."""
    actor = api_actor(request, scope="handoffs:write")
    template = services.handoff_template_create(actor=actor, from_role_code=payload.from_role,
                                                to_role_code=payload.to_role, name=payload.name,
                                                description=payload.description, checklist=payload.checklist,
                                                is_active=payload.is_active)
    return Status(201, _template_out(template))


@templates_router.patch("/{template_id}", response=HandoffTemplateOut,
                        operation_id="collaboration_handofftemplate_update")
def handoff_template_update(request: AuthedRequest, template_id: str,
                            payload: HandoffTemplatePatch) -> dict[str, Any]:
    """Administrators: change a template; open handoffs keep the checklist they started with."""
    actor = api_actor(request, scope="handoffs:write")
    template = selectors.handoff_template_get(actor=actor, public_id=template_id)
    changes = {name: value for name, value in payload.dict(exclude_unset=True).items() if value is not None}
    return _template_out(services.handoff_template_update(actor=actor, template=template, **changes))
