"""Reads for users, roles, teams and tokens."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from tandem.identity.logic import token_hash
from tandem.identity.models import ApiToken, Role, Team, User

TOKEN_TOUCH_INTERVAL = datetime.timedelta(minutes=1)


def api_token_authenticate(*, secret: str) -> ApiToken | None:
    """The usable token for ``secret`` (recording its last use), or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=token_hash(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def role_list() -> QuerySet[Role]:
    return Role.objects.all()


def role_codes(*, user: Any) -> set[str]:
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_system", False):
        return set()
    cached = getattr(user, "_role_codes", None)
    if cached is None:
        cached = set(user.roles.values_list("code", flat=True))
        user._role_codes = cached
    return cached


def user_get_by_email(*, email: str) -> User | None:
    return User.objects.filter(email=email.strip().lower()).first()


def user_list() -> QuerySet[User]:
    return User.objects.prefetch_related("roles", "teams")


def team_list() -> QuerySet[Team]:
    return Team.objects.select_related("manager").prefetch_related("members")


def api_token_list(*, user: User | None = None) -> QuerySet[ApiToken]:
    tokens = ApiToken.objects.select_related("user")
    return tokens.filter(user=user) if user is not None else tokens
