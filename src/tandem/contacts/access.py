"""Contacts inherit visibility from their account: you see a contact if you may see its account."""

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
        accounts = Account.objects.filter(scope_filter(user)).values("pk")
        return Q(account_id__in=accounts)

    return condition


def register() -> None:
    register_resource(Resource(name="contact", label=_("contacts"), model_label="contacts.Contact",
                               own=_via_account("own"), team=_via_account("team")))
