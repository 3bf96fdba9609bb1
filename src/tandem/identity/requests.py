"""Typing helper: the request a logged-in page or API handler receives."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from tandem.identity.models import User


class AuthedRequest(HttpRequest):
    """An HttpRequest whose ``user`` is a logged-in Tandem user (views behind ``login_required`` or API auth)."""

    user: User  # type: ignore[assignment]
    htmx: HtmxDetails
