"""What collaboration adds to other apps' pages: the comments block on accounts, contacts and activities, the
handoffs card on the Account 360 page, the "Open handoffs" home card; and the records that take comments."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts.models import Account
from tandem.accounts.sections import AccountSection, register_section
from tandem.collaboration import selectors, views
from tandem.collaboration.registry import register_commentable
from tandem.contacts.models import Contact
from tandem.contacts.sections import ContactSection, register_contact_section
from tandem.core.home import HomeCard, register_home_card
from tandem.timeline.models import Activity


def _open_handoffs_card(actor: Any) -> dict[str, Any] | None:
    if not can(actor, Action.VIEW, resource="handoff"):
        return None
    handoffs = list(selectors.open_handoffs_of(actor=actor)[:10])
    if not handoffs:
        return None
    return {"handoffs": handoffs, "me": actor.pk}


def _merge_collaboration(actor: Any, kept: Account, removed: Account) -> int:
    """Handoffs, comments and followers of the duplicate move to the kept account. A pending handoff to a role
    the kept account already has one pending for would give that step two owners: it is cancelled. A person
    following both accounts keeps one follow."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from tandem.collaboration.choices import HandoffStatus
    from tandem.collaboration.models import Comment, Handoff

    pending_roles = Handoff.objects.filter(account=kept, status=HandoffStatus.PENDING).values("to_role")
    Handoff.objects.filter(account=removed, status=HandoffStatus.PENDING, to_role__in=pending_roles).update(
        status=HandoffStatus.CANCELLED, closed_at=timezone.now())
    moved = Handoff.objects.filter(account=removed).update(account=kept)
    account_type = ContentType.objects.get_for_model(Account)
    moved += Comment.objects.filter(target_type=account_type, target_id=removed.pk).update(target_id=kept.pk)
    _move_follows(actor, kept, removed)
    return int(moved)


def _move_follows(actor: Any, kept: Any, removed: Any) -> int:
    """Followers of a merged duplicate (account or contact) follow the kept record; someone following both keeps
    one follow."""
    from django.contrib.contenttypes.models import ContentType

    from tandem.notifications.models import Follow

    record_type = ContentType.objects.get_for_model(type(kept))
    following_kept = Follow.objects.filter(content_type=record_type, object_id=kept.pk).values("user")
    Follow.objects.filter(content_type=record_type, object_id=removed.pk, user__in=following_kept).delete()
    return int(Follow.objects.filter(content_type=record_type, object_id=removed.pk).update(object_id=kept.pk))


def register() -> None:
    from tandem.accounts.merge import register_merge_step

    register_merge_step("collaboration", _merge_collaboration)
    from tandem.collaboration.models import Comment
    from tandem.contacts.merge import move_generic
    from tandem.contacts.merge import register_merge_step as register_contact_merge_step

    register_contact_merge_step("comments", move_generic(Comment, "target_type", "target_id"))
    register_contact_merge_step("followers", _move_follows)
    register_commentable(Account, "account", url_for=lambda account: reverse(
        "accounts:account-detail", args=[account.public_id]), title_for=lambda account: account.name,
        noun=_("account"))
    register_commentable(Contact, "contact", url_for=lambda contact: reverse(
        "contacts:contact-detail", args=[contact.public_id]), title_for=str, noun=_("contact"))
    register_commentable(Activity, "activity", url_for=lambda activity: reverse(
        "collaboration:record-comments", args=["activity", activity.public_id]),
        title_for=lambda activity: f"{activity.account.name}: {activity}", noun=_("activity"))
    register_section(AccountSection(key="handoffs", order=3, template="collaboration/account_handoffs.html",
                                    context=views.account_section_context))
    register_section(AccountSection(key="comments", order=6, template="collaboration/account_comments.html",
                                    context=views.comments_section_context))
    register_contact_section(ContactSection(key="comments", order=12, template="collaboration/account_comments.html",
                                            context=views.comments_section_context))
    register_home_card(HomeCard(key="open_handoffs", order=20, template="collaboration/home_handoffs.html",
                                context=_open_handoffs_card))
