"""Who sees which leads and opportunities.

Leads: ``own`` is the leads I own or created; ``team`` adds those owned or created by my teammates.
Opportunities: ``own`` is the opportunities I own or created and every opportunity on the accounts in my own
account scope (a CSM sees the deals on the accounts they look after); ``team`` adds those of my teammates and of
the accounts in my team account scope. Amounts (MRR change, one-off) are the ``pricing`` field group.
Pipelines are configuration (no records): ``view`` to read the boards, ``change`` to edit stages."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.access.registry import Resource, get_resource, register_resource

PRICING_FIELDS = ("mrr_delta", "one_off_amount")


def _accounts_in(scope_name: str, user: Any) -> Any:
    from tandem.accounts.models import Account

    account_resource = get_resource("account")
    scope_filter = account_resource.own if scope_name == "own" else account_resource.team
    assert scope_filter is not None
    return Account.objects.filter(scope_filter(user)).values("pk")


def _teammates(user: Any) -> Any:
    from tandem.identity.models import Team, User

    teams = Team.objects.filter(Q(members=user.pk) | Q(manager_id=user.pk)).values("pk")
    return User.objects.filter(Q(teams__in=teams) | Q(pk=user.pk)).values("pk")


def _own_leads(user: Any) -> Q:
    return Q(owner_id=user.pk) | Q(created_by_id=user.pk)


def _team_leads(user: Any) -> Q:
    teammates = _teammates(user)
    return Q(owner_id__in=teammates) | Q(created_by_id__in=teammates)


def _own_opportunities(user: Any) -> Q:
    return Q(owner_id=user.pk) | Q(created_by_id=user.pk) | Q(account_id__in=_accounts_in("own", user))


def _team_opportunities(user: Any) -> Q:
    teammates = _teammates(user)
    return (Q(owner_id__in=teammates) | Q(created_by_id__in=teammates)
            | Q(account_id__in=_accounts_in("team", user)) | _own_opportunities(user))


def register() -> None:
    register_resource(Resource(name="lead", label=_("leads"), model_label="pipeline.Lead", own=_own_leads,
                               team=_team_leads))
    register_resource(Resource(name="opportunity", label=_("opportunities"), model_label="pipeline.Opportunity",
                               own=_own_opportunities, team=_team_opportunities,
                               field_groups={"pricing": PRICING_FIELDS}))
    register_resource(Resource(name="pipeline", label=_("pipelines"), actions=("view", "change")))
