"""The home page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from tandem.accounts import selectors as account_selectors
from tandem.core.home import home_cards_for
from tandem.identity.requests import AuthedRequest


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    my_accounts = account_selectors.account_list(actor=actor).filter(owner=actor)[:10]
    return render(request, "web/home.html", {
        "nav_active": "home",
        "my_accounts": my_accounts,
        "visible_account_count": account_selectors.account_list(actor=actor).count(),
        "cards": home_cards_for(actor=actor),
    })
