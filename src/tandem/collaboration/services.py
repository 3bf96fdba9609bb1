"""Writes for comments and handoffs: authorise → validate → write → audit → timeline → notify.

Notifications are written in the same transaction (inbox and outbox rows; delivery runs in a job after commit),
with an event key per comment (mentions) or per handoff step, so nobody hears of the same thing twice."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.access.choices import Action
from tandem.access.decide import SYSTEM, can
from tandem.accounts.choices import TEAM_ROLE_CODES
from tandem.accounts.models import Account
from tandem.accounts.team import account_team_assign
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_created, audit_record, diff, snapshot
from tandem.collaboration import selectors
from tandem.collaboration.choices import HandoffStatus, HandoffStep
from tandem.collaboration.logic import (
    clean_checklist_items,
    new_checklist,
    parse_mentions,
    plain_excerpt,
    render_comment,
)
from tandem.collaboration.models import Comment, CommentMention, Handoff, HandoffEvent, HandoffTemplate
from tandem.collaboration.registry import commentable_for_model
from tandem.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from tandem.identity.models import Role, User
from tandem.notifications.services import notify
from tandem.notifications.text import Text, translatable
from tandem.timeline.choices import ActivityType
from tandem.timeline.services import record_system_activity

MAX_COMMENT = 20_000
MAX_MENTIONS = 50
MAX_NOTE = 5_000
MAX_REASON = 2_000


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors={field: [message]})


def _user(actor: Any) -> User | None:
    return None if getattr(actor, "is_system", False) or getattr(actor, "pk", None) is None else actor


def _real(obj: Any) -> Any:
    """The model instance behind ``request.user``'s lazy proxy."""
    return getattr(obj, "_wrapped", obj)


# --- comments --------------------------------------------------------------------------------------------


def comment_url(comment: Comment) -> str:
    """The comment's permanent link (it redirects to the record's page at the comment's anchor)."""
    return reverse("collaboration:comment-open", args=[comment.public_id])


def _clean_body(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise _fail("body", _("Write a comment first."))
    if len(text) > MAX_COMMENT:
        raise _fail("body", _("At most %(limit)d characters (this has %(length)d).")
                    % {"limit": MAX_COMMENT, "length": len(text)})
    return text


def _mentioned_users(record: Model, body: str) -> list[User]:
    """The people ``body`` mentions. Refuses (naming each) anyone unknown, deactivated or unable to see
    ``record`` — the comment is then not saved, so nobody is told about a record they cannot open."""
    tokens = parse_mentions(body)
    if len(tokens) > MAX_MENTIONS:
        raise _fail("body", _("Mention at most %(limit)d people in one comment.") % {"limit": MAX_MENTIONS})
    if not tokens:
        return []
    found = selectors.users_by_public_id(public_ids=[token.public_id for token in tokens])
    noun = commentable_for_model(type(record)).noun
    errors: list[str] = []
    users: list[User] = []
    for token in tokens:
        user = found.get(token.public_id)
        if user is None:
            errors.append(_("Nobody is known as %(name)s; pick the person from the list.") % {"name": token.name})
        elif not user.is_active:
            errors.append(_("%(name)s is deactivated; they were not mentioned.") % {"name": user})
        elif not can(user, Action.VIEW, record):
            errors.append(_("%(name)s cannot see this %(record)s; they were not mentioned.")
                          % {"name": user, "record": noun})
        else:
            users.append(user)
    if errors:
        raise ValidationFailed(_("The comment was not saved: %(reasons)s") % {"reasons": " ".join(errors)},
                               errors={"body": errors})
    return users


def _names(users: list[User]) -> dict[str, str]:
    return {user.public_id: str(user) for user in users}


def _notify_mentions(*, actor: Any, comment: Comment, record: Model, users: list[User]) -> None:
    recipients = [user for user in users if user.pk != getattr(actor, "pk", None)]
    if not recipients:
        return
    item = commentable_for_model(type(record))
    notify(recipients=recipients, kind="mention",
           title=translatable(gettext_lazy("%(author)s mentioned you on %(record)s"), author=str(actor),
                              record=item.title_for(record)),
           body=plain_excerpt(comment.body, _names(users)), url=comment_url(comment), source=comment, actor=actor,
           event_key=f"comment:{comment.pk}:mention")


def comment_post(*, actor: Any, record: Model, body: str, parent: Comment | None = None) -> Comment:
    """Comment on ``record`` (a reply when ``parent`` is given); the people mentioned are notified once."""
    try:
        commentable_for_model(type(record))
    except LookupError:
        raise _fail("object_type", _("These records cannot be commented on.")) from None
    if not can(actor, Action.CREATE, resource="comment"):
        raise PermissionDenied(_("You may not comment."))
    if not can(actor, Action.VIEW, record):
        raise NotFound(_("No such record."))
    text = _clean_body(body)
    target_type = ContentType.objects.get_for_model(type(record))
    if parent is not None:
        if parent.target_type_id != target_type.pk or parent.target_id != record.pk or parent.deleted_at:
            raise _fail("parent", _("Reply to a comment on the same record."))
        if parent.parent_id is not None:
            parent = parent.parent
    users = _mentioned_users(record, text)
    comment = Comment(target_type=target_type, target_id=record.pk, author=_user(_real(actor)), body=text,
                      body_html=render_comment(text, _names(users)), parent=parent)
    with transaction.atomic():
        comment.save()
        CommentMention.objects.bulk_create([CommentMention(comment=comment, user=user) for user in users])
        audit_created(actor=actor, obj=comment, fields=("body",),
                      summary=_("Comment on %(record)s") % {"record": record})
        _notify_mentions(actor=actor, comment=comment, record=record, users=users)
    return comment


def comment_update(*, actor: Any, comment: Comment, body: str) -> Comment:
    """Change a comment's text (the author's own; administrators any). People newly mentioned are notified;
    people already notified of this comment are not notified again."""
    if not can(actor, Action.CHANGE, comment):
        raise PermissionDenied(_("You may only edit your own comments."))
    record = comment.target
    if record is None:
        raise NotFound(_("No such record."))
    text = _clean_body(body)
    users = _mentioned_users(record, text)
    with transaction.atomic():
        locked = Comment.objects.select_for_update().filter(pk=comment.pk, deleted_at__isnull=True).first()
        if locked is None:
            raise NotFound(_("No such comment."))
        before = snapshot(locked, ("body",))
        locked.body = text
        locked.body_html = render_comment(text, _names(users))
        changed = diff(before, snapshot(locked, ("body",)))
        if not changed:
            return locked
        locked.edited_at = timezone.now()
        locked.save(update_fields=["body", "body_html", "edited_at", "updated_at"])
        known = set(CommentMention.objects.filter(comment=locked).values_list("user_id", flat=True))
        wanted = {user.pk for user in users}
        CommentMention.objects.filter(comment=locked).exclude(user_id__in=wanted).delete()
        CommentMention.objects.bulk_create([CommentMention(comment=locked, user=user) for user in users
                                            if user.pk not in known])
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=locked, changes=changed,
                     summary=_("Comment edited"))
        _notify_mentions(actor=actor, comment=locked, record=record, users=users)
    return locked


def comment_delete(*, actor: Any, comment: Comment) -> None:
    """Delete a comment (the author's own; administrators any). The text stays in the audit log."""
    if not can(actor, Action.DELETE, comment):
        raise PermissionDenied(_("You may only delete your own comments."))
    with transaction.atomic():
        updated = Comment.objects.filter(pk=comment.pk, deleted_at__isnull=True).update(deleted_at=timezone.now())
        if not updated:
            raise NotFound(_("No such comment."))
        audit_record(actor=actor, action=AuditAction.DELETE, obj=comment, changes={"body": [comment.body, None]},
                     summary=_("Comment deleted"))
    comment.deleted_at = timezone.now()


# --- handoffs --------------------------------------------------------------------------------------------


def _team_role(code: str, field: str) -> Role:
    role = Role.objects.filter(code=code, code__in=TEAM_ROLE_CODES).first() if code else None
    if role is None:
        raise _fail(field, _("Unknown team role: %(code)s") % {"code": code})
    return role


def _handoff_url(handoff: Handoff) -> str:
    return reverse("collaboration:handoff-detail", args=[handoff.public_id])


def _step(*, actor: Any, handoff: Handoff, step: str, subject: str, recipients: list[User], title: Text,
          detail: Mapping[str, Any] | None = None) -> HandoffEvent:
    """One step: its event row, its timeline entry (pointing at the event) and the other person's notification."""
    event = HandoffEvent.objects.create(handoff=handoff, step=step, actor=_user(_real(actor)),
                                        detail=dict(detail or {}))
    record_system_activity(account=handoff.account, type=ActivityType.SYSTEM_EVENT, subject=subject, actor=actor,
                           body=str((detail or {}).get("text", "")), source=event,
                           participants=[handoff.from_user, handoff.to_user],
                           payload={"event": f"handoff_{step}", "handoff": handoff.public_id})
    people = [user for user in recipients if user.pk != getattr(actor, "pk", None)]
    if people:
        notify(recipients=people, kind="handoff", title=title, body=handoff.account.name, url=_handoff_url(handoff),
               source=handoff, actor=actor, event_key=f"handoff-event:{event.pk}")
    return event


def _names_of(handoff: Handoff) -> dict[str, Any]:
    return {"account": handoff.account.name, "from": handoff.from_user, "to": handoff.to_user,
            "from_role": handoff.from_role.name, "to_role": handoff.to_role.name}


def handoff_start(*, actor: Any, account: Account, to_user: User | None, to_role_code: str, from_role_code: str,
                  note: str = "", assign_seat: bool = True) -> Handoff:
    """Hand ``account`` from the actor (holding ``from_role_code``) to ``to_user`` (holding ``to_role_code``),
    with the transition's checklist. Refused while another handoff to that role on the account is open."""
    if not can(actor, Action.CREATE, resource="handoff") or not can(actor, Action.CHANGE, account):
        raise PermissionDenied(_("You may not hand off this account."))
    sender = _real(actor)
    errors: dict[str, list[str]] = {}
    from_role = to_role = None
    try:
        from_role = _team_role(from_role_code, "from_role")
        if not sender.roles.filter(pk=from_role.pk).exists():
            errors["from_role"] = [_("You do not hold the role %(role)s.") % {"role": from_role.name}]
    except ValidationFailed as error:
        errors.update(error.errors)
    try:
        to_role = _team_role(to_role_code, "to_role")
    except ValidationFailed as error:
        errors.update(error.errors)
    if to_user is None:
        errors["to_user"] = [_("Choose who receives the account.")]
    elif to_user.pk == sender.pk:
        errors["to_user"] = [_("Hand the account to someone else.")]
    elif not to_user.is_active:
        errors["to_user"] = [_("%(user)s is deactivated.") % {"user": to_user}]
    elif to_role is not None and not to_user.roles.filter(pk=to_role.pk).exists():
        errors["to_user"] = [_("%(user)s does not hold the role %(role)s.") % {"user": to_user, "role": to_role.name}]
    template = None
    if from_role is not None and to_role is not None:
        template = selectors.handoff_template_for(from_role_code=from_role.code, to_role_code=to_role.code)
        if template is None:
            errors["to_role"] = [_("There is no handoff template from %(from)s to %(to)s; an administrator can add "
                                   "one.") % {"from": from_role.name, "to": to_role.name}]
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = [_("At most %(limit)d characters (this has %(length)d).")
                          % {"limit": MAX_NOTE, "length": len(note)}]
    if errors:
        raise ValidationFailed(_("The handoff is invalid."), errors=errors)
    assert from_role is not None and to_role is not None and to_user is not None and template is not None
    handoff = Handoff(account=account, template=template, from_user=sender, from_role=from_role, to_user=to_user,
                      to_role=to_role, checklist=new_checklist(list(template.checklist)), note=note,
                      assign_seat=assign_seat)
    try:
        with transaction.atomic():
            Account.objects.select_for_update().filter(pk=account.pk).first()  # one start per account at a time
            _refuse_second_open(account, to_role)
            handoff.save()
            audit_created(actor=actor, obj=handoff, fields=("account", "from_user", "from_role", "to_user",
                                                             "to_role", "note", "status"))
            values = _names_of(handoff)
            _step(actor=actor, handoff=handoff, step=HandoffStep.STARTED, recipients=[to_user],
                  subject=_("Handoff started: %(from)s (%(from_role)s) → %(to)s (%(to_role)s)") % values,
                  title=translatable(gettext_lazy("%(from)s hands %(account)s to you (%(to_role)s)"), **values),
                  detail={"text": note})
    except IntegrityError:  # another request opened one in the meantime
        _refuse_second_open(account, to_role)
        raise
    return handoff


def _refuse_second_open(account: Account, role: Role) -> None:
    open_one = Handoff.objects.select_related("from_user", "to_user").filter(
        account=account, to_role=role, status=HandoffStatus.PENDING).first()
    if open_one is not None:
        raise Conflict(_("%(account)s already has an open handoff to the %(role)s (%(from)s → %(to)s); it must be "
                         "accepted, declined or cancelled first.")
                       % {"account": account.name, "role": role.name, "from": open_one.from_user,
                          "to": open_one.to_user})


def _locked_open(handoff: Handoff) -> Handoff:
    locked = Handoff.objects.select_for_update(of=("self",)).select_related(
        "account", "from_user", "to_user", "from_role", "to_role").filter(pk=handoff.pk).first()
    if locked is None:
        raise NotFound(_("No such handoff."))
    if locked.status != HandoffStatus.PENDING:
        raise Conflict(_("This handoff is already %(status)s.") % {"status": locked.get_status_display().lower()})
    return locked


def handoff_tick(*, actor: Any, handoff: Handoff, items: Mapping[int, bool]) -> Handoff:
    """Tick (True) or untick (False) checklist items by position. Either person may, while it is open."""
    if not can(actor, Action.CHANGE, handoff):
        raise PermissionDenied(_("You may not change this handoff."))
    if not items:
        raise _fail("items", _("Choose at least one checklist item."))
    with transaction.atomic():
        locked = _locked_open(handoff)
        bad = [index for index in items if not isinstance(index, int) or not 0 <= index < len(locked.checklist)]
        if bad:
            raise _fail("items", _("There is no checklist item number %(index)s.") % {"index": bad[0]})
        before = {"checklist": [item["done"] for item in locked.checklist]}
        now = timezone.now().isoformat()
        for index, done in items.items():
            item = locked.checklist[index]
            if bool(done) != item["done"]:
                item.update(done=bool(done), done_by=getattr(_user(_real(actor)), "public_id", None),
                            done_at=now if done else None)
        changed = diff(before, {"checklist": [item["done"] for item in locked.checklist]})
        if changed:
            locked.save(update_fields=["checklist", "updated_at"])
            HandoffEvent.objects.create(handoff=locked, step=HandoffStep.TICKED, actor=_user(_real(actor)),
                                        detail={"items": {str(k): bool(v) for k, v in items.items()}})
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=locked, changes=changed,
                         summary=_("Handoff checklist changed"))
    return locked


def handoff_accept(*, actor: Any, handoff: Handoff) -> Handoff:
    """The receiver takes the account over: the handoff closes, and (if the sender asked for it) the receiver
    gets the account-team seat of the receiving role (audited, on the timeline)."""
    if getattr(actor, "pk", None) != handoff.to_user_id:
        raise PermissionDenied(_("Only %(user)s can accept this handoff.") % {"user": handoff.to_user})
    with transaction.atomic():
        locked = _locked_open(handoff)
        missing = [item["label"] for item in locked.checklist if not item["done"]]
        if missing:
            raise _fail("checklist", _("Tick every checklist item before accepting; still open: %(items)s.")
                        % {"items": "; ".join(missing)})
        _close(actor, locked, HandoffStatus.ACCEPTED)
        if locked.assign_seat:
            account_team_assign(actor=SYSTEM, account=locked.account, role_code=locked.to_role.code,
                                user=locked.to_user,
                                reason=_("Handoff accepted by %(user)s") % {"user": locked.to_user})
        values = _names_of(locked)
        _step(actor=actor, handoff=locked, step=HandoffStep.ACCEPTED, recipients=[locked.from_user],
              subject=_("Handoff accepted: %(to)s is now %(to_role)s") % values,
              title=translatable(gettext_lazy("%(to)s accepted %(account)s"), **values))
    return locked


def handoff_decline(*, actor: Any, handoff: Handoff, reason: str) -> Handoff:
    """The receiver declines, saying why (required)."""
    if getattr(actor, "pk", None) != handoff.to_user_id:
        raise PermissionDenied(_("Only %(user)s can decline this handoff.") % {"user": handoff.to_user})
    text = (reason or "").strip()
    if not text:
        raise _fail("reason", _("Say why you decline, so %(user)s knows what to do next.")
                    % {"user": handoff.from_user})
    if len(text) > MAX_REASON:
        raise _fail("reason", _("At most %(limit)d characters (this has %(length)d).")
                    % {"limit": MAX_REASON, "length": len(text)})
    with transaction.atomic():
        locked = _locked_open(handoff)
        locked.decline_reason = text
        _close(actor, locked, HandoffStatus.DECLINED)
        values = _names_of(locked)
        _step(actor=actor, handoff=locked, step=HandoffStep.DECLINED, recipients=[locked.from_user],
              subject=_("Handoff declined by %(to)s") % values,
              title=translatable(gettext_lazy("%(to)s declined %(account)s"), **values),
              detail={"text": text})
    return locked


def handoff_cancel(*, actor: Any, handoff: Handoff) -> Handoff:
    """The sender (or someone who may change the handoff, such as their manager) takes it back."""
    is_sender = getattr(actor, "pk", None) == handoff.from_user_id
    if not is_sender and (getattr(actor, "pk", None) == handoff.to_user_id or not can(actor, Action.CHANGE, handoff)):
        raise PermissionDenied(_("Only %(user)s can cancel this handoff.") % {"user": handoff.from_user})
    with transaction.atomic():
        locked = _locked_open(handoff)
        _close(actor, locked, HandoffStatus.CANCELLED)
        values = _names_of(locked)
        _step(actor=actor, handoff=locked, step=HandoffStep.CANCELLED, recipients=[locked.to_user, locked.from_user],
              subject=_("Handoff cancelled: %(from)s → %(to)s (%(to_role)s)") % values,
              title=translatable(gettext_lazy("The handoff of %(account)s was cancelled"), **values))
    return locked


def _close(actor: Any, handoff: Handoff, status: str) -> None:
    before = snapshot(handoff, ("status", "decline_reason"))
    handoff.status = status
    handoff.closed_at = timezone.now()
    handoff.save(update_fields=["status", "decline_reason", "closed_at", "updated_at"])
    audit_record(actor=actor, action=AuditAction.CHANGE, obj=handoff,
                 changes=diff(before, snapshot(handoff, ("status", "decline_reason"))))


# --- handoff templates -----------------------------------------------------------------------------------

TEMPLATE_FIELDS = ("from_role", "to_role", "name", "description", "checklist", "is_active")


def _validate_template(template: HandoffTemplate, checklist: list[str]) -> None:
    errors: dict[str, list[str]] = {}
    template.name = " ".join((template.name or "").split())
    if not template.name:
        template.name = f"{template.from_role.name} → {template.to_role.name}"
    if len(template.name) > 150:
        errors["name"] = [_("At most %(limit)d characters (this has %(length)d).")
                          % {"limit": 150, "length": len(template.name)}]
    if template.from_role_id == template.to_role_id:
        errors["to_role"] = [_("A handoff goes from one role to another.")]
    items, problems = clean_checklist_items(checklist)
    for problem in problems:
        if problem == "too_many":
            errors.setdefault("checklist", []).append(_("At most %(limit)d items.") % {"limit": 30})
        else:
            errors.setdefault("checklist", []).append(_("An item is too long (at most 200 characters): %(item)s…")
                                                      % {"item": problem.split(":", 1)[1]})
    if not items and not problems:
        errors["checklist"] = [_("Give the checklist at least one item.")]
    if errors:
        raise ValidationFailed(_("The handoff template is invalid."), errors=errors)
    template.checklist = items


def handoff_template_create(*, actor: Any, from_role_code: str, to_role_code: str, checklist: list[str],
                            name: str = "", description: str = "", is_active: bool = True) -> HandoffTemplate:
    if not can(actor, Action.CREATE, resource="handoff_template"):
        raise PermissionDenied(_("You may not add handoff templates."))
    template = HandoffTemplate(from_role=_team_role(from_role_code, "from_role"),
                               to_role=_team_role(to_role_code, "to_role"), name=name,
                               description=(description or "").strip(), is_active=is_active)
    _validate_template(template, checklist)
    if HandoffTemplate.objects.filter(from_role=template.from_role, to_role=template.to_role).exists():
        raise Conflict(_("There already is a template from %(from)s to %(to)s; change that one.")
                       % {"from": template.from_role.name, "to": template.to_role.name})
    with transaction.atomic():
        template.save()
        audit_created(actor=actor, obj=template, fields=TEMPLATE_FIELDS)
    return template


def handoff_template_update(*, actor: Any, template: HandoffTemplate, **changes: Any) -> HandoffTemplate:
    """Change a template (``name``, ``description``, ``checklist``, ``is_active``). Open handoffs keep the
    checklist they started with."""
    unknown = set(changes) - {"name", "description", "checklist", "is_active"}
    if unknown:
        raise ValidationFailed(_("Unknown fields."), errors={name: [_("Unknown field.")] for name in unknown})
    if not can(actor, Action.CHANGE, resource="handoff_template"):
        raise PermissionDenied(_("You may not change handoff templates."))
    with transaction.atomic():
        locked = HandoffTemplate.objects.select_for_update(of=("self",)).select_related(
            "from_role", "to_role").get(pk=template.pk)
        before = snapshot(locked, TEMPLATE_FIELDS)
        for name in ("name", "is_active"):
            if name in changes:
                setattr(locked, name, changes[name])
        if "description" in changes:
            locked.description = (changes["description"] or "").strip()
        _validate_template(locked, list(changes.get("checklist", locked.checklist)))
        changed = diff(before, snapshot(locked, TEMPLATE_FIELDS))
        if changed:
            locked.save()
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=locked, changes=changed)
    return locked
