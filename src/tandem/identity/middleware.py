"""Two-factor enforcement: users holding a role that requires it must enrol before anything else."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode


class TwoFactorMiddleware:
    """Redirects a logged-in user who holds a role requiring two-factor authentication, but has no confirmed
    authenticator, to the enrolment page. Static files, the language switch, the API (tokens are not
    sessions), the health check, logout and the enrolment page itself pass."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def _allowed(self) -> tuple[str, ...]:
        return (settings.STATIC_URL or "/static/", "/i18n/", "/api/", "/healthz",
                reverse("identity:logout"), reverse("identity:two-factor"))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(self._allowed()):
            from tandem.identity.selectors import totp_device_for, two_factor_required

            if two_factor_required(user=user):
                device = totp_device_for(user=user)
                if device is None or not device.is_confirmed:
                    return redirect(reverse("identity:two-factor") + "?" + urlencode({"next": request.path}))
        return self.get_response(request)
