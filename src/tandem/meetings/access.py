"""Meetings: "own" are the meetings I organise or attend; "team" adds those a teammate organises or attends."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from tandem.access.registry import Resource, register_resource


def _own(user: Any) -> Q:
    from tandem.meetings.models import Meeting

    attending = Meeting.attendees.through.objects.filter(meeting_id=OuterRef("pk"), user_id=user.pk)
    return Q(organiser_id=user.pk) | Q(Exists(attending))


def _team(user: Any) -> Q:
    from tandem.identity.models import Team, User
    from tandem.meetings.models import Meeting

    teams = Team.objects.filter(Q(members=user.pk) | Q(manager_id=user.pk)).values("pk")
    teammates = User.objects.filter(Q(teams__in=teams) | Q(managed_teams__in=teams)).values("pk")
    attending = Meeting.attendees.through.objects.filter(meeting_id=OuterRef("pk"), user_id__in=teammates)
    return Q(organiser_id__in=teammates) | Q(Exists(attending))


def register() -> None:
    register_resource(Resource(name="meeting", label=_("meetings"), model_label="meetings.Meeting", own=_own,
                               team=_team))
