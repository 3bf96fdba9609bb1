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


def register() -> None:
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
