"""How the access module's scopes apply to accounts."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from tandem.access.registry import Resource, register_resource


def _own_accounts(user: Any) -> Q:
    """Accounts the user owns or holds a role on (the account team)."""
    from tandem.accounts.models import AccountTeamMember

    on_team = AccountTeamMember.objects.filter(account=OuterRef("pk"), user_id=user.pk)
    return Q(owner_id=user.pk) | Q(Exists(on_team))


def _team_accounts(user: Any) -> Q:
    """Accounts assigned to one of the user's teams, or owned by / staffed with a teammate."""
    from tandem.accounts.models import AccountTeamMember
    from tandem.identity.models import Team, User

    teams = Team.objects.filter(Q(members=user.pk) | Q(manager_id=user.pk)).values("pk")
    teammate_on_team = AccountTeamMember.objects.filter(
        account=OuterRef("pk"), user__teams__in=teams
    )
    teammates = User.objects.filter(teams__in=teams).values("pk")
    return Q(team_id__in=teams) | Q(owner_id__in=teammates) | Q(Exists(teammate_on_team))


def register() -> None:
    register_resource(
        Resource(
            name="account",
            label=_("accounts"),
            model_label="accounts.Account",
            own=_own_accounts,
            team=_team_accounts,
            field_groups={"pricing": ()},
        )
    )
