"""Writes for users, roles, teams, tokens and logins: authorise → validate → write → audit."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tandem.access.decide import can, forget_cached_grants
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_created, audit_record
from tandem.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from tandem.identity.logic import new_token_secret, token_display_prefix, token_hash
from tandem.identity.models import ApiToken, LoginAttempt, Role, User

USER_AUDITED_FIELDS = ("email", "full_name", "time_zone", "language", "is_active")


def login_attempts_purge() -> int:
    """Delete login attempts older than a day past the lockout window. Returns how many."""
    cutoff = timezone.now() - datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES, days=1)
    deleted, _ = LoginAttempt.objects.filter(attempted_at__lt=cutoff).delete()
    return deleted


def user_create(
    *,
    actor: Any,
    email: str,
    full_name: str,
    password: str | None = None,
    role_codes: Iterable[str] = (),
    time_zone: str = "UTC",
    language: str = "",
) -> User:
    """Create a login user holding ``role_codes``. ``password`` None leaves it unusable (invited)."""
    if not can(actor, "create", resource="user"):
        raise PermissionDenied("You may not create users.")
    email = email.strip().lower()
    errors: dict[str, list[str]] = {}
    if User.objects.filter(email=email).exists():
        raise Conflict("A user with this email already exists.", errors={"email": ["Already in use."]})
    roles = list(Role.objects.filter(code__in=list(role_codes)))
    unknown = set(role_codes) - {role.code for role in roles}
    if unknown:
        errors["roles"] = [f"Unknown role: {code}" for code in sorted(unknown)]
    user = User(email=email, full_name=full_name.strip(), time_zone=time_zone, language=language)
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as error:
            errors["password"] = list(error.messages)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationFailed("The user is invalid.", errors=errors)
    with transaction.atomic():
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save()
        user.roles.set(roles)
        audit_created(actor=actor, obj=user, fields=USER_AUDITED_FIELDS,
                      summary="Roles: " + ", ".join(sorted(role.code for role in roles)))
    return user


@dataclass(frozen=True)
class IssuedToken:
    """A freshly created token. ``secret`` is shown once and never stored."""

    token: ApiToken
    secret: str


def api_token_create(
    *,
    actor: Any,
    user: User,
    name: str,
    scopes: Iterable[str],
    expires_at: datetime.datetime | None = None,
) -> IssuedToken:
    """Issue a bearer token for ``user``. Users create their own; administrators anyone's."""
    is_self = getattr(actor, "pk", None) == user.pk
    if not is_self and not can(actor, "change", resource="user"):
        raise PermissionDenied("You may not create tokens for other users.")
    scopes = sorted(set(scopes))
    errors: dict[str, list[str]] = {}
    unknown = [scope for scope in scopes if scope not in settings.API_TOKEN_SCOPES]
    if unknown:
        errors["scopes"] = [f"Unknown scope: {scope}" for scope in unknown]
    if not scopes:
        errors["scopes"] = ["Choose at least one scope."]
    if not name.strip():
        errors["name"] = ["A name is required."]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = ["The expiry must be in the future."]
    if not user.is_active:
        errors["user"] = ["The user is deactivated."]
    if errors:
        raise ValidationFailed("The token is invalid.", errors=errors)
    secret = new_token_secret()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name.strip()[:100], prefix=token_display_prefix(secret),
            token_hash=token_hash(secret), scopes=scopes, expires_at=expires_at,
        )
        audit_created(actor=actor, obj=token, fields=("name", "user", "scopes", "expires_at"))
    return IssuedToken(token=token, secret=secret)


def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    is_own = getattr(actor, "pk", None) == token.user_id
    if not is_own and not can(actor, "change", resource="user"):
        raise NotFound("No such token.")
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=token,
                     changes={"revoked_at": [None, token.revoked_at.isoformat()]}, summary="Token revoked")
    return token


def user_roles_set(*, actor: Any, user: User, role_codes: Iterable[str]) -> User:
    """Replace the roles ``user`` holds; audited with before and after."""
    if not can(actor, "change", resource="user"):
        raise PermissionDenied("You may not change users' roles.")
    roles = list(Role.objects.filter(code__in=list(role_codes)))
    unknown = set(role_codes) - {role.code for role in roles}
    if unknown:
        raise ValidationFailed("Unknown roles.", errors={"roles": [f"Unknown role: {c}" for c in sorted(unknown)]})
    with transaction.atomic():
        before = sorted(user.roles.values_list("code", flat=True))
        user.roles.set(roles)
        after = sorted(role.code for role in roles)
        if before != after:
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=user, changes={"roles": [before, after]})
    forget_cached_grants(user)
    if hasattr(user, "_role_codes"):
        del user._role_codes
    return user
