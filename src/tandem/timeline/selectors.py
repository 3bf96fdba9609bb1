"""Reads for the timeline, scoped by the access module: a feed shows only activities of accounts the actor sees."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from tandem.access.decide import restrict
from tandem.accounts.models import Account
from tandem.accounts.rollups import descendant_ids
from tandem.contacts.models import Contact
from tandem.core.exceptions import NotFound
from tandem.files.models import StoredFile
from tandem.identity.models import User
from tandem.timeline.models import Activity

FEED_ORDERING = ("-occurred_at", "-id")  # newest first; id breaks ties so the keyset is unique


@dataclass(frozen=True)
class ActivityFilters:
    """``account_ids``: only these accounts (None: every visible one); ``contact_id``: activities with this
    contact; ``user_id``: activities this user logged or took part in; ``since``/``until``: occurred_at bounds
    (inclusive, exclusive)."""

    account_ids: tuple[int, ...] | None = None
    contact_id: int | None = None
    user_id: int | None = None
    types: tuple[str, ...] = ()
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None


def activity_list(*, actor: Any, filters: ActivityFilters | None = None, action: str = "view") -> QuerySet[Activity]:
    """The activities ``actor`` may ``action`` (view by default), filtered, with what a feed shows prefetched."""
    filters = filters or ActivityFilters()
    activities = restrict(Activity.objects.select_related("account", "created_by", "source_type"), actor, action)
    if filters.account_ids is not None:
        activities = activities.filter(account_id__in=filters.account_ids)
    if filters.contact_id is not None:
        activities = activities.filter(pk__in=Activity.contacts.through.objects.filter(
            contact_id=filters.contact_id).values("activity_id"))
    if filters.user_id is not None:
        activities = activities.filter(Q(created_by_id=filters.user_id) | Q(
            pk__in=Activity.participants.through.objects.filter(user_id=filters.user_id).values("activity_id")))
    if filters.types:
        activities = activities.filter(type__in=filters.types)
    if filters.since is not None:
        activities = activities.filter(occurred_at__gte=filters.since)
    if filters.until is not None:
        activities = activities.filter(occurred_at__lt=filters.until)
    return activities.prefetch_related(
        Prefetch("contacts", queryset=Contact.objects.only("public_id", "first_name", "last_name", "email")),
        Prefetch("participants", queryset=User.objects.only("public_id", "full_name", "email")),
        "attachments")


@dataclass(frozen=True)
class Related:
    """What the API lists with each activity, read in three flat queries for a whole page."""

    contacts: dict[int, list[tuple[str, str]]]  # activity id -> [(public id, name)]
    participants: dict[int, list[tuple[str, str]]]
    attachments: dict[int, list[tuple[str, str, int]]]  # (public id, file name, size)


def activity_related(*, activity_ids: list[int]) -> Related:
    """Contacts, participants and attachments of these activities (already scoped by the caller's list).
    Cheaper than prefetch_related for an API page: plain tuples, no per-row querysets."""
    through = Activity.contacts.through.objects.filter(activity_id__in=activity_ids).order_by(
        "contact__last_name", "contact__first_name", "contact_id")
    contacts: dict[int, list[tuple[str, str]]] = {}
    for activity_id, public_id, first, last, email in through.values_list(
            "activity_id", "contact__public_id", "contact__first_name", "contact__last_name", "contact__email"):
        name = " ".join(part for part in (first, last) if part) or email
        contacts.setdefault(activity_id, []).append((public_id, name))
    participants: dict[int, list[tuple[str, str]]] = {}
    for activity_id, public_id, full_name, email in Activity.participants.through.objects.filter(
            activity_id__in=activity_ids).order_by("user__full_name", "user__email").values_list(
            "activity_id", "user__public_id", "user__full_name", "user__email"):
        participants.setdefault(activity_id, []).append((public_id, full_name or email))
    attachments: dict[int, list[tuple[str, str, int]]] = {}
    for activity_id, public_id, name, size in Activity.attachments.through.objects.filter(
            activity_id__in=activity_ids).order_by("-storedfile__created_at", "-storedfile_id").values_list(
            "activity_id", "storedfile__public_id", "storedfile__name", "storedfile__size"):
        attachments.setdefault(activity_id, []).append((public_id, name, size))
    return Related(contacts, participants, attachments)


def feed_account_ids(*, actor: Any, account: Account, include_children: bool) -> tuple[int, ...]:
    """The account and, when asked, every visible account below it."""
    if not include_children:
        return (account.pk,)
    return (account.pk, *descendant_ids(actor=actor, account=account))


def activity_get(*, actor: Any, public_id: str) -> Activity:
    activity = activity_list(actor=actor).filter(public_id=public_id).first()
    if activity is None:
        raise NotFound("No such activity.")
    return activity


def people_of_account(*, actor: Any, account: Account) -> tuple[list[User], list[Contact]]:
    """Who can be picked as a person filter or a participant: the account team and owner, and the account's
    visible contacts."""
    on_team = account.team_members.values("user_id")  # a subquery: an OR across a join would read every seat
    users = list(User.objects.filter(Q(pk=account.owner_id) | Q(pk__in=on_team), is_active=True)
                 .order_by("full_name", "id"))
    contacts = list(restrict(Contact.objects.filter(account=account), actor).order_by("last_name", "first_name",
                                                                                       "id")[:200])
    return users, contacts


def activity_with_message_id(*, account: Account, message_id: str) -> Activity | None:
    if not message_id:
        return None
    return Activity.objects.filter(account=account, message_id=message_id).first()


def activity_with_source(*, source: Any, type: str) -> Activity | None:
    from django.contrib.contenttypes.models import ContentType

    return Activity.objects.filter(source_type=ContentType.objects.get_for_model(source), source_id=source.pk,
                                   type=type).first()


def user_by_reference(*, reference: str, actor: Any) -> User | None:
    """A user named by public id or email (``me`` is the actor), or None."""
    value = reference.strip()
    if not value:
        return None
    if value.lower() == "me":
        return actor if getattr(actor, "pk", None) is not None else None
    condition = Q(email__iexact=value) if "@" in value else Q(public_id=value)
    return User.objects.filter(condition).first()


def users_by_public_id(*, public_ids: list[str]) -> list[User]:
    found = {user.public_id: user for user in User.objects.filter(public_id__in=public_ids)}
    for public_id in public_ids:
        if public_id not in found:
            raise NotFound(f"No user with id {public_id}.")
    return [found[public_id] for public_id in dict.fromkeys(public_ids)]


def contacts_by_public_id(*, actor: Any, public_ids: list[str]) -> list[Contact]:
    """The visible contacts with these ids, in the given order; NotFound names the first unknown one."""
    found = {contact.public_id: contact
             for contact in restrict(Contact.objects.filter(public_id__in=public_ids), actor)}
    for public_id in public_ids:
        if public_id not in found:
            raise NotFound(f"No visible contact with id {public_id}.")
    return [found[public_id] for public_id in dict.fromkeys(public_ids)]


def files_by_public_id(*, actor: Any, public_ids: list[str]) -> list[StoredFile]:
    files = restrict(StoredFile.objects.filter(public_id__in=public_ids), actor)
    found = {stored.public_id: stored for stored in files}
    for public_id in public_ids:
        if public_id not in found:
            raise NotFound(f"No visible file with id {public_id}.")
    return [found[public_id] for public_id in dict.fromkeys(public_ids)]
