"""Reads for comments and handoffs, scoped by the access module.

A comment is visible when the actor may view its record: every query carries, per commentable type, the
condition "the record is among those ``restrict`` lets the actor view" — decided in SQL, before fetching."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Prefetch, Q, QuerySet

from tandem.access.choices import Action
from tandem.access.decide import can, restrict
from tandem.accounts.models import Account
from tandem.collaboration.choices import HandoffStatus
from tandem.collaboration.models import Comment, CommentMention, Handoff, HandoffTemplate
from tandem.collaboration.registry import all_commentables, commentable
from tandem.core.exceptions import NotFound
from tandem.identity.models import User

MENTION_SUGGESTIONS = 8


def _visible_targets(actor: Any) -> Q:
    condition = Q(pk__in=[])
    for item in all_commentables():
        records = restrict(item.model._default_manager.all(), actor, Action.VIEW).values("pk")
        condition |= Q(target_type=ContentType.objects.get_for_model(item.model), target_id__in=records)
    return condition


def _comments(actor: Any) -> QuerySet[Comment]:
    return restrict(Comment.objects.filter(deleted_at__isnull=True), actor, Action.VIEW).select_related(
        "author", "target_type").prefetch_related(
        Prefetch("mentions", queryset=CommentMention.objects.select_related("user")))


def record_get(*, actor: Any, object_type: str, object_id: str) -> Model:
    """The commentable record of type ``object_type`` (account, contact, activity, …) with public id
    ``object_id``, if the actor may view it."""
    try:
        item = commentable(object_type)
    except LookupError:
        raise NotFound("No such record.") from None
    record = restrict(item.model._default_manager.all(), actor, Action.VIEW).filter(public_id=object_id).first()
    if record is None:
        raise NotFound("No such record.")
    return record


def comment_list(*, actor: Any, record: Model | None = None) -> QuerySet[Comment]:
    """The comments the actor may read: on ``record`` (which the caller fetched through a selector, so it is
    visible), or on every record the actor may view."""
    comments = _comments(actor)
    if record is not None:
        if not can(actor, Action.VIEW, record):
            return comments.none()
        return comments.filter(target_type=ContentType.objects.get_for_model(type(record)), target_id=record.pk)
    return comments.filter(_visible_targets(actor))


@dataclass(frozen=True)
class CommentThread:
    """A first comment and its replies, oldest first."""

    comment: Comment
    replies: tuple[Comment, ...]


def comment_threads(*, actor: Any, record: Model) -> list[CommentThread]:
    """The record's comments as threads (replies whose first comment was deleted stand on their own)."""
    comments = list(comment_list(actor=actor, record=record).order_by("created_at", "id"))
    roots = {comment.pk for comment in comments if comment.parent_id is None}
    replies: dict[int, list[Comment]] = {}
    threads: list[Comment] = []
    for comment in comments:
        if comment.parent_id in roots:
            replies.setdefault(comment.parent_id, []).append(comment)
        else:
            threads.append(comment)
    return [CommentThread(comment, tuple(replies.get(comment.pk, ()))) for comment in threads]


def comment_get(*, actor: Any, public_id: str) -> Comment:
    comment = comment_list(actor=actor).filter(public_id=public_id).first()
    if comment is None:
        raise NotFound("No such comment.")
    return comment


def mention_candidates(*, actor: Any, query: str, record: Model | None = None,
                       limit: int = MENTION_SUGGESTIONS) -> list[User]:
    """Active colleagues whose name or email contains ``query`` and who may see ``record`` (when given): the
    people the actor may mention there. Never the actor."""
    term = " ".join(query.split())[:100]
    users = User.objects.filter(is_active=True).exclude(pk=getattr(actor, "pk", None) or 0).order_by("full_name", "id")
    if term:
        users = users.filter(Q(full_name__icontains=term) | Q(email__icontains=term))
    found: list[User] = []
    for user in users[: limit * 5]:
        if record is None or can(user, Action.VIEW, record):
            found.append(user)
        if len(found) >= limit:
            break
    return found


def users_by_public_id(*, public_ids: list[str]) -> dict[str, User]:
    return {user.public_id: user for user in User.objects.filter(public_id__in=public_ids)}


# --- handoffs --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HandoffFilters:
    """``mine``: handoffs the actor sends or receives; ``account``: of this account; ``status``: one status;
    ``open_only``: pending only."""

    mine: bool = False
    account: Account | None = None
    status: str = ""
    open_only: bool = False


def handoff_list(*, actor: Any, filters: HandoffFilters | None = None, action: str = Action.VIEW) -> QuerySet[Handoff]:
    filters = filters or HandoffFilters()
    handoffs = restrict(Handoff.objects.select_related("account", "from_user", "to_user", "from_role", "to_role",
                                                       "template"), actor, action)
    if filters.mine:
        handoffs = handoffs.filter(Q(from_user_id=actor.pk) | Q(to_user_id=actor.pk))
    if filters.account is not None:
        handoffs = handoffs.filter(account=filters.account)
    if filters.status:
        handoffs = handoffs.filter(status=filters.status)
    if filters.open_only:
        handoffs = handoffs.filter(status=HandoffStatus.PENDING)
    return handoffs


def handoffs_of_account(*, actor: Any, account: Any) -> QuerySet[Handoff]:
    """The account's handoffs as its Account 360 card shows them: people and roles, not the account again nor the
    template (two joins and ~40 columns fewer than ``handoff_list``)."""
    return restrict(Handoff.objects.select_related("from_user", "to_user", "from_role", "to_role"),
                    actor).filter(account=account)


def handoff_get(*, actor: Any, public_id: str) -> Handoff:
    handoff = handoff_list(actor=actor).filter(public_id=public_id).first()
    if handoff is None:
        raise NotFound("No such handoff.")
    return handoff


def open_handoffs_of(*, actor: Any) -> QuerySet[Handoff]:
    """The pending handoffs the actor sends or receives (the home-page card)."""
    return handoff_list(actor=actor, filters=HandoffFilters(mine=True, open_only=True)).order_by("created_at", "id")


def handoff_template_list(*, actor: Any, active_only: bool = False) -> QuerySet[HandoffTemplate]:
    if not can(actor, Action.VIEW, resource="handoff_template"):
        return HandoffTemplate.objects.none()
    templates = HandoffTemplate.objects.select_related("from_role", "to_role")
    return templates.filter(is_active=True) if active_only else templates


def handoff_templates_from_roles_of(*, actor: Any) -> QuerySet[HandoffTemplate]:
    """Active templates starting from one of the actor's roles (the handoffs the actor can start)."""
    return handoff_template_list(actor=actor, active_only=True).filter(from_role__in=actor.roles.all())


def handoff_template_get(*, actor: Any, public_id: str) -> HandoffTemplate:
    template = handoff_template_list(actor=actor).filter(public_id=public_id).first()
    if template is None:
        raise NotFound("No such handoff template.")
    return template


def handoff_template_for(*, from_role_code: str, to_role_code: str) -> HandoffTemplate | None:
    return HandoffTemplate.objects.select_related("from_role", "to_role").filter(
        from_role__code=from_role_code, to_role__code=to_role_code, is_active=True).first()


def receivers_for(*, role_code: str) -> QuerySet[User]:
    """Active users holding ``role_code`` (who a handoff to that role can go to)."""
    return User.objects.filter(is_active=True, roles__code=role_code).distinct().order_by("full_name", "id")
