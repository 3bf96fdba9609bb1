"""Activities inherit visibility from their account: you see an account's timeline if you may see the account."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.access.registry import Resource, get_resource, register_resource


def _via_account(scope_name: str) -> Any:
    def condition(user: Any) -> Q:
        from tandem.accounts.models import Account

        account_resource = get_resource("account")
        scope_filter = account_resource.own if scope_name == "own" else account_resource.team
        assert scope_filter is not None
        return Q(account_id__in=Account.objects.filter(scope_filter(user)).values("pk"))

    return condition


def register() -> None:
    register_resource(Resource(name="activity", label=_("activities"), model_label="timeline.Activity",
                               own=_via_account("own"), team=_via_account("team")))
