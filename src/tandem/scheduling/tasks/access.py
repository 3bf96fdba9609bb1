"""Who sees which tasks.

``own``: tasks assigned to me or created by me, and tasks on accounts in my own account scope (a CSM sees the
tasks on the accounts they look after). ``team``: those, plus tasks assigned to or created by a member of my
teams and tasks on the accounts in my team account scope."""

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


def _own_tasks(user: Any) -> Q:
    return Q(assignee_id=user.pk) | Q(created_by_id=user.pk) | Q(account_id__in=_accounts_in("own", user))


def _team_tasks(user: Any) -> Q:
    from tandem.identity.models import Team, User

    teams = Team.objects.filter(Q(members=user.pk) | Q(manager_id=user.pk)).values("pk")
    teammates = User.objects.filter(Q(teams__in=teams) | Q(pk=user.pk)).values("pk")
    return (Q(assignee_id__in=teammates) | Q(created_by_id__in=teammates)
            | Q(account_id__in=_accounts_in("team", user)) | _own_tasks(user))


def register() -> None:
    register_resource(Resource(name="task", label=_("tasks"), model_label="scheduling.Task",
                               own=_own_tasks, team=_team_tasks))
