"""Per-user language and time zone."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class UserLanguageMiddleware:
    """Puts the logged-in user's language into the session before LocaleMiddleware reads it.

    Runs before authentication middleware, so it reads the user lazily from the session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.session.get("tandem_language")
        if language:
            request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = language
        return self.get_response(request)


class UserTimezoneMiddleware:
    """Activates the user's time zone so templates display local times (storage stays UTC)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone_name = settings.DEFAULT_TIMEZONE
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.time_zone:
            zone_name = user.time_zone
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone_name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo("UTC"))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class DomainErrorMiddleware:
    """Turns domain errors raised in views into the matching HTTP error pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
        from django.http import Http404

        from tandem.core.exceptions import NotFound, PermissionDenied

        if isinstance(exception, NotFound):
            raise Http404(exception.message)
        if isinstance(exception, PermissionDenied):
            raise DjangoPermissionDenied(exception.message)
        return None
