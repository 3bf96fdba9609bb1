"""API authentication: a session cookie (with CSRF) for the UI, bearer tokens for scripts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from tandem.core.exceptions import PermissionDenied
from tandem.identity import selectors as identity_selectors


class TokenOrSession(AuthBase):
    """Accepts ``Authorization: Bearer <token>`` or a logged-in session.

    A bad token is a 401 even if a session cookie is also present: scripts must learn
    their token is wrong rather than silently acting as someone else."""

    openapi_type = "http"
    openapi_scheme = "bearer"

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if header:
            kind, _, secret = header.partition(" ")
            if kind.lower() != "bearer" or not secret.strip():
                raise AuthenticationError(message="Malformed Authorization header; expected 'Bearer <token>'.")
            token = identity_selectors.api_token_authenticate(secret=secret.strip())
            if token is None:
                raise AuthenticationError(message="The API token is invalid, expired or revoked.")
            request.user = token.user
            request.api_token = token  # type: ignore[attr-defined]
            return token.user
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                csrf_error = check_csrf(request)
                if csrf_error:
                    raise PermissionDenied("CSRF verification failed; send the X-CSRFToken header.")
            request.api_token = None  # type: ignore[attr-defined]
            return user
        return None


api_auth = TokenOrSession()


def api_actor(request: HttpRequest, *, scope: str) -> Any:
    """The acting user, after checking that a bearer token carries ``scope``.

    Session users act with all scopes; what they may do is still decided by the access module."""
    token = getattr(request, "api_token", None)
    if token is not None and scope not in token.scopes:
        raise PermissionDenied(f"This API token lacks the '{scope}' scope.")
    return request.user


def token_has_scope(request: HttpRequest, scope: str) -> bool:
    """True for session users and for tokens carrying ``scope`` (for optional parts of a response)."""
    token = getattr(request, "api_token", None)
    return token is None or scope in token.scopes
