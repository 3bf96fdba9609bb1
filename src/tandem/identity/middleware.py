"""Two-factor enforcement: users holding a role that requires it must enrol before anything else."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

ALLOWED_PREFIXES = ("/static/", "/i18n/", "/api/", "/healthz", "/logout/", "/me/two-factor/")


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(ALLOWED_PREFIXES):
            from tandem.identity.selectors import totp_device_for, two_factor_required

            if two_factor_required(user=user):
                device = totp_device_for(user=user)
                if device is None or not device.is_confirmed:
                    return redirect(reverse("identity:two-factor") + "?next=" + request.path)
        return self.get_response(request)
