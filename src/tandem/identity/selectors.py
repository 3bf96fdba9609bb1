"""Reads for users, roles, teams and tokens."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

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


def user_directory(*, actor: Any, search: str = "", role_code: str = "", active: bool | None = None) -> QuerySet[User]:
    """Users for the administration page and the API, filtered by name/email text, role and state.
    An actor who may not view users gets NotFound (the page does not exist for them)."""
    from django.db.models import Q

    from tandem.access.decide import can
    from tandem.core.exceptions import NotFound

    if not can(actor, "view", resource="user"):
        raise NotFound(_("No such page."))
    users = user_list()
    if search.strip():
        users = users.filter(Q(full_name__icontains=search.strip()) | Q(email__icontains=search.strip()))
    if role_code:
        users = users.filter(roles__code=role_code)
    if active is not None:
        users = users.filter(is_active=active)
    return users


def users_for_password_reset(*, email: str) -> QuerySet[User]:
    """Active users a reset link may be sent to: including invited users who never chose a password
    (Tandem has no other way to log in, so an unusable password is no reason to refuse)."""
    return User.objects.filter(email__iexact=email.strip(), is_active=True)


def team_list() -> QuerySet[Team]:
    return Team.objects.select_related("manager").prefetch_related("members")


def api_token_list(*, user: User | None = None) -> QuerySet[ApiToken]:
    tokens = ApiToken.objects.select_related("user")
    return tokens.filter(user=user) if user is not None else tokens


def login_failures(*, email: str, ip_address: str | None) -> tuple[int, int]:
    """Failed attempts within the lockout window: (for this email, from this address)."""
    import datetime

    from django.conf import settings

    from tandem.identity.models import LoginAttempt

    since = timezone.now() - datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    recent = LoginAttempt.objects.filter(attempted_at__gte=since, succeeded=False)
    by_email = recent.filter(email=email.strip().lower()).count()
    by_ip = recent.filter(ip_address=ip_address).count() if ip_address else 0
    return by_email, by_ip


def login_is_locked(*, email: str, ip_address: str | None) -> bool:
    """Locked when the email reached the failure limit, or the address reached three times the limit
    (one address trying many emails)."""
    from django.conf import settings

    by_email, by_ip = login_failures(email=email, ip_address=ip_address)
    return by_email >= settings.LOGIN_MAX_FAILURES or by_ip >= settings.LOGIN_MAX_FAILURES * 3


def totp_device_for(*, user: Any) -> Any:
    from tandem.identity.models import TotpDevice

    return TotpDevice.objects.filter(user=user).first()


def two_factor_required(*, user: Any) -> bool:
    return user.roles.filter(requires_two_factor=True).exists()


def user_active_by_pk(*, pk: int) -> User | None:
    return User.objects.filter(pk=pk, is_active=True).first()


def api_token_by_public_id(*, public_id: str) -> ApiToken | None:
    return ApiToken.objects.select_related("user").filter(public_id=public_id).first()


def user_get(*, actor: Any, public_id: str) -> User:
    """A user for the administration pages (requires 'view' on users)."""
    from tandem.access.decide import can
    from tandem.core.exceptions import NotFound

    user = User.objects.prefetch_related("roles", "teams").filter(public_id=public_id).first()
    if user is None or not can(actor, "view", resource="user"):
        raise NotFound(_("No such user."))
    return user


def team_get(*, actor: Any, public_id: str) -> Team:
    from tandem.access.decide import can
    from tandem.core.exceptions import NotFound

    team = Team.objects.select_related("manager").filter(public_id=public_id).first()
    if team is None or not can(actor, "view", resource="team"):
        raise NotFound(_("No such team."))
    return team
