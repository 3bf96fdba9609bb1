"""Access resources of collaboration.

* ``comment`` — a comment is visible to whoever may view the record it is on (the selectors add that condition
  to every query); the rows of this resource gate the actions: ``view`` and ``create`` (normally scope all),
  ``change`` and ``delete`` (own = the author's comments; administrators: all).
* ``handoff`` — own: handoffs I send or receive; team: also those of my teams' people (for managers) and those
  on accounts of my teams; all: every handoff.
* ``handoff_template`` — the checklists per transition (no records: everyone reads, administrators edit)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.access.registry import Resource, get_resource, register_resource


def _team_people(user: Any) -> Any:
    from tandem.identity.models import Team, User

    teams = Team.objects.filter(Q(members=user.pk) | Q(manager_id=user.pk)).values("pk")
    return User.objects.filter(Q(teams__in=teams) | Q(managed_teams__in=teams)).values("pk")


def _own_comments(user: Any) -> Q:
    return Q(author_id=user.pk)


def _team_comments(user: Any) -> Q:
    return Q(author_id__in=_team_people(user))


def _own_handoffs(user: Any) -> Q:
    return Q(from_user_id=user.pk) | Q(to_user_id=user.pk)


def _team_handoffs(user: Any) -> Q:
    from tandem.accounts.models import Account

    people = _team_people(user)
    team_filter = get_resource("account").team
    assert team_filter is not None
    return (Q(from_user_id__in=people) | Q(to_user_id__in=people)
            | Q(account_id__in=Account.objects.filter(team_filter(user)).values("pk")))


def register() -> None:
    register_resource(Resource(name="comment", label=_("comments"), model_label="collaboration.Comment",
                               own=_own_comments, team=_team_comments,
                               actions=("view", "create", "change", "delete")))
    register_resource(Resource(name="handoff", label=_("handoffs"), model_label="collaboration.Handoff",
                               own=_own_handoffs, team=_team_handoffs, actions=("view", "create", "change")))
    register_resource(Resource(name="handoff_template", label=_("handoff templates"),
                               actions=("view", "create", "change")))
