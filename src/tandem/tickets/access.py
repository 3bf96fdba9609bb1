"""Who sees which tickets.

``own``: tickets assigned to me or opened by me, and tickets of the accounts in my own account scope (the AM and
CSM of an account see its tickets). ``team``: those, plus tickets assigned to a teammate, tickets of a support
group of one of my teams, and tickets of my team's accounts. Support roles get ``all`` by default.

``ticket_config`` (no records) guards the routing rules, SLA policies, business hours and support groups."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.access.registry import Resource, get_resource, register_resource


def _accounts_in(scope_name: str, user: Any) -> Any:
    from tandem.accounts.models import Account

    account_resource = get_resource("account")
    scope_filter = account_resource.own if scope_name == "own" else account_resource.team
    assert scope_filter is not None
    return Account.objects.filter(scope_filter(user)).values("pk")


def _own_tickets(user: Any) -> Q:
    return Q(assignee_id=user.pk) | Q(created_by_id=user.pk) | Q(account_id__in=_accounts_in("own", user))


def _team_tickets(user: Any) -> Q:
    from tandem.identity.models import Team, User

    teams = Team.objects.filter(Q(members=user.pk) | Q(manager_id=user.pk)).values("pk")
    teammates = User.objects.filter(Q(teams__in=teams) | Q(pk=user.pk)).values("pk")
    return (Q(assignee_id__in=teammates) | Q(group__team_id__in=teams)
            | Q(account_id__in=_accounts_in("team", user)) | _own_tickets(user))


def register() -> None:
    register_resource(Resource(name="ticket", label=_("tickets"), model_label="tickets.Ticket",
                               own=_own_tickets, team=_team_tickets))
    register_resource(Resource(name="ticket_config", label=_("ticket routing and SLAs"),
                               actions=("view", "change")))
