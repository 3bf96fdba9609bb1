"""Access resource of the quotas app.

``quota`` — records: ``own`` is my quotas; ``team`` adds the quotas of the people in the teams I manage or belong
to (a manager sees and sets their team's). A rep sees only their own."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.access.registry import Resource, register_resource


def team_members(user: Any) -> Any:
    """The ids of the people in the teams ``user`` manages or belongs to (and the user)."""
    from tandem.identity.models import Team, User

    teams = Team.objects.filter(Q(members=user.pk) | Q(manager_id=user.pk)).values("pk")
    return User.objects.filter(Q(teams__in=teams) | Q(managed_teams__in=teams) | Q(pk=user.pk)).values("pk")


def _own(user: Any) -> Q:
    return Q(user_id=user.pk)


def _team(user: Any) -> Q:
    return Q(user_id__in=team_members(user))


def register() -> None:
    register_resource(Resource(name="quota", label=_("quotas"), model_label="quotas.Quota", own=_own, team=_team,
                               actions=("view", "create", "change", "delete")))
