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
from django.utils.translation import gettext as _

from tandem.access.decide import can, forget_cached_grants
from tandem.audit.models import AuditAction
from tandem.audit.services import audit_created, audit_deleted, audit_record, diff, snapshot
from tandem.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from tandem.identity.choices import RoleCode
from tandem.identity.logic import new_token_secret, token_display_prefix, token_hash
from tandem.identity.models import ApiToken, LoginAttempt, Role, Team, TotpDevice, User
from tandem.identity.tokens import INVITATION_VALID_DAYS, invitation_token_generator

USER_AUDITED_FIELDS = ("email", "full_name", "time_zone", "language", "is_active")


def _check_an_administrator_remains(*, user: User, losing_role: bool = False, deactivating: bool = False) -> None:
    """Refuse a change that would leave the workspace without an active administrator (nobody could
    then manage users or permissions)."""
    if not user.is_active or not user.roles.filter(code=RoleCode.ADMINISTRATOR).exists():
        return
    if not (losing_role or deactivating):
        return
    others = User.objects.filter(is_active=True, roles__code=RoleCode.ADMINISTRATOR).exclude(pk=user.pk)
    if not others.exists():
        field = "roles" if losing_role else "is_active"
        raise ValidationFailed(_("At least one active administrator must remain."),
                               errors={field: [_("This is the last active administrator.")]})


def login_attempts_purge() -> int:
    """Delete login attempts older than a day past the lockout window. Returns how many."""
    cutoff = timezone.now() - datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES, days=1)
    deleted, _by_model = LoginAttempt.objects.filter(attempted_at__lt=cutoff).delete()
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
        raise PermissionDenied(_("You may not create users."))
    email = email.strip().lower()
    role_codes = list(role_codes)
    errors: dict[str, list[str]] = {}
    if User.objects.filter(email=email).exists():
        raise Conflict(_("A user with this email already exists."), errors={"email": [_("Already in use.")]})
    roles = list(Role.objects.filter(code__in=list(role_codes)))
    unknown = set(role_codes) - {role.code for role in roles}
    if unknown:
        errors["roles"] = [_("Unknown role: %(code)s") % {"code": code} for code in sorted(unknown)]
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
        raise ValidationFailed(_("The user is invalid."), errors=errors)
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
        raise PermissionDenied(_("You may not create tokens for other users."))
    scopes = sorted(set(scopes))
    errors: dict[str, list[str]] = {}
    unknown = [scope for scope in scopes if scope not in settings.API_TOKEN_SCOPES]
    if unknown:
        errors["scopes"] = [_("Unknown scope: %(scope)s") % {"scope": scope} for scope in unknown]
    if not scopes:
        errors["scopes"] = [_("Choose at least one scope.")]
    if not name.strip():
        errors["name"] = [_("A name is required.")]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = [_("The expiry must be in the future.")]
    if not user.is_active:
        errors["user"] = [_("The user is deactivated.")]
    if errors:
        raise ValidationFailed(_("The token is invalid."), errors=errors)
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
        raise NotFound(_("No such token."))
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
        raise PermissionDenied(_("You may not change users' roles."))
    role_codes = list(role_codes)
    roles = list(Role.objects.filter(code__in=list(role_codes)))
    unknown = set(role_codes) - {role.code for role in roles}
    if unknown:
        raise ValidationFailed(_("Unknown roles."), errors={
            "roles": [_("Unknown role: %(code)s") % {"code": code} for code in sorted(unknown)]})
    _check_an_administrator_remains(user=user, losing_role=RoleCode.ADMINISTRATOR not in set(role_codes))
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


def login_attempt_record(*, email: str, ip_address: str | None, succeeded: bool) -> None:
    """Record one attempt; when it reaches the limit, audit the lockout (a security event)."""
    email = email.strip().lower()[:254]
    LoginAttempt.objects.create(email=email, ip_address=ip_address, succeeded=succeeded)
    if succeeded:
        return
    from tandem.identity.selectors import login_failures

    by_email, by_ip = login_failures(email=email, ip_address=ip_address)
    if by_email == settings.LOGIN_MAX_FAILURES:
        # Audited whether or not the email belongs to a user: an attack on unknown addresses is worth seeing too.
        user = User.objects.filter(email=email).first()
        audit_record(actor=None, action=AuditAction.SECURITY, obj=user,
                     summary=f"Login for {email} locked for {settings.LOGIN_LOCKOUT_MINUTES} minutes after "
                             f"{by_email} failed attempts (last from {ip_address or 'an unknown address'})")
    if ip_address and by_ip == settings.LOGIN_MAX_FAILURES * 3:
        audit_record(actor=None, action=AuditAction.SECURITY, obj=None,
                     summary=f"Logins from {ip_address} locked for {settings.LOGIN_LOCKOUT_MINUTES} minutes after "
                             f"{by_ip} failed attempts")


def totp_enrol_start(*, user: User) -> TotpDevice:
    """Create (or restart) the user's unconfirmed TOTP device with a new secret."""
    import pyotp

    device, _created = TotpDevice.objects.get_or_create(user=user, defaults={"secret": pyotp.random_base32()})
    if device.is_confirmed:
        return device
    device.secret = pyotp.random_base32()
    device.save(update_fields=["secret", "updated_at"])
    return device


def totp_verify(*, device: TotpDevice, code: str) -> bool:
    """True for a valid code not used before (each 30-second step counts once: no replay)."""
    import pyotp

    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return False
    totp = pyotp.TOTP(device.secret)
    now = timezone.now().timestamp()
    for offset in (-1, 0, 1):
        step = int(now // 30) + offset
        if step <= device.last_used_step:
            continue
        if secrets_compare(totp.at(step * 30), code):
            updated = TotpDevice.objects.filter(pk=device.pk, last_used_step__lt=step).update(last_used_step=step)
            if updated:
                device.last_used_step = step
                return True
    return False


def secrets_compare(expected: str, given: str) -> bool:
    import hmac

    return hmac.compare_digest(expected.encode(), given.encode())


def totp_confirm(*, user: User, device: TotpDevice, code: str) -> bool:
    if not totp_verify(device=device, code=code):
        return False
    with transaction.atomic():
        device.confirmed_at = timezone.now()
        device.save(update_fields=["confirmed_at", "updated_at"])
        audit_record(actor=user, action=AuditAction.SECURITY, obj=user, summary="Two-factor authentication enabled")
    return True


def totp_disable(*, actor: Any, user: User, password: str | None = None, code: str | None = None) -> None:
    """Remove the user's authenticator. The user themself must prove both factors (password and a current
    code); an administrator may reset a lost device without them."""
    is_self = getattr(actor, "pk", None) == user.pk
    if not is_self and not can(actor, "change", resource="user"):
        raise PermissionDenied(_("You may not change this user's two-factor settings."))
    if is_self:
        device = TotpDevice.objects.filter(user=user).first()
        errors: dict[str, list[str]] = {}
        if not password or not user.check_password(password):
            errors["password"] = [_("The password is not correct.")]
        if device is not None and device.is_confirmed and not totp_verify(device=device, code=code or ""):
            errors["code"] = [_("The code is not valid.")]
        if errors:
            raise ValidationFailed(_("Two-factor authentication stays on."), errors=errors)
    with transaction.atomic():
        deleted, _by_model = TotpDevice.objects.filter(user=user).delete()
        if deleted:
            audit_record(actor=actor, action=AuditAction.SECURITY, obj=user,
                         summary="Two-factor authentication disabled")


def user_profile_update(*, actor: Any, user: User, full_name: str, time_zone: str, language: str) -> User:
    import zoneinfo

    if getattr(actor, "pk", None) != user.pk and not can(actor, "change", resource="user"):
        raise PermissionDenied(_("You may not change this user."))
    errors: dict[str, list[str]] = {}
    if time_zone not in zoneinfo.available_timezones():
        errors["time_zone"] = [_("Unknown time zone: %(zone)s") % {"zone": time_zone}]
    if language and language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Unknown language: %(language)s") % {"language": language}]
    if not full_name.strip():
        errors["full_name"] = [_("A name is required.")]
    if errors:
        raise ValidationFailed(_("The profile is invalid."), errors=errors)
    with transaction.atomic():
        before = snapshot(user, USER_AUDITED_FIELDS)
        user.full_name, user.time_zone, user.language = full_name.strip(), time_zone, language
        user.save(update_fields=["full_name", "time_zone", "language"])
        changed = diff(before, snapshot(user, USER_AUDITED_FIELDS))
        if changed:
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=user, changes=changed)
    return user


def user_set_active(*, actor: Any, user: User, active: bool) -> User:
    """Deactivate (or reactivate) a user. Deactivation ends their sessions at once (the authentication
    backend refuses inactive users on their next request) and revokes all their API tokens."""
    if not can(actor, "change", resource="user"):
        raise PermissionDenied(_("You may not change users."))
    if getattr(actor, "pk", None) == user.pk and not active:
        raise ValidationFailed(_("You cannot deactivate yourself."), errors={"is_active": [_("Not yourself.")]})
    _check_an_administrator_remains(user=user, deactivating=not active)
    with transaction.atomic():
        if user.is_active == active:
            return user
        user.is_active = active
        user.save(update_fields=["is_active"])
        revoked = 0
        if not active:
            revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
            _end_sessions(user)
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=user, changes={"is_active": [not active, active]},
                     summary=f"Deactivated; {revoked} API tokens revoked" if not active else "Reactivated")
    return user


def _end_sessions(user: User) -> None:
    """Delete the user's stored sessions (database session backend)."""
    from django.contrib.sessions.models import Session

    user_key = str(user.pk)
    for session in Session.objects.filter(expire_date__gte=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == user_key:
            session.delete()


def user_teams_set(*, actor: Any, user: User, teams: Iterable[Any]) -> User:
    if not can(actor, "change", resource="user"):
        raise PermissionDenied(_("You may not change users' teams."))
    teams = list(teams)
    with transaction.atomic():
        before = sorted(user.teams.values_list("name", flat=True))
        user.teams.set(teams)
        after = sorted(team.name for team in teams)
        if before != after:
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=user, changes={"teams": [before, after]})
    forget_cached_grants(user)
    return user


def team_save(*, actor: Any, team: Any, name: str, manager: User | None, members: Iterable[User]) -> Any:
    from tandem.identity.models import Team

    creating = team is None
    if not can(actor, "create" if creating else "change", resource="team"):
        raise PermissionDenied(_("You may not change teams."))
    team = team or Team()
    if Team.objects.filter(name__iexact=name.strip()).exclude(pk=team.pk).exists():
        raise ValidationFailed(_("A team with this name exists."), errors={"name": [_("Already in use.")]})
    if not name.strip():
        raise ValidationFailed(_("A name is required."), errors={"name": [_("A name is required.")]})
    members = list(members)
    with transaction.atomic():
        before = snapshot(team, ("name", "manager")) if not creating else {}
        before_members = sorted(team.members.values_list("email", flat=True)) if not creating else []
        team.name, team.manager = name.strip(), manager
        team.save()
        team.members.set(members)
        after_members = sorted(user.email for user in members)
        changes = diff(before, snapshot(team, ("name", "manager")))
        if before_members != after_members:
            changes["members"] = [before_members, after_members]
        audit_record(actor=actor, action=AuditAction.CREATE if creating else AuditAction.CHANGE, obj=team,
                     changes=changes)
    return team


def team_delete(*, actor: Any, team: Any) -> None:
    if not can(actor, "delete", resource="team"):
        raise PermissionDenied(_("You may not delete teams."))
    with transaction.atomic():
        entry = audit_deleted(actor=actor, obj=team, fields=("name", "manager"), summary=f"Team {team.name} deleted")
        members = sorted(team.members.values_list("email", flat=True))
        if members:
            entry.changes["members"] = [members, None]
            entry.save(update_fields=["changes"])
        team.delete()


def role_two_factor_set(*, actor: Any, role: Role, required: bool) -> Role:
    if not can(actor, "change", resource="access_policy"):
        raise PermissionDenied(_("You may not change roles."))
    with transaction.atomic():
        if role.requires_two_factor != required:
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=role,
                         changes={"requires_two_factor": [role.requires_two_factor, required]})
            role.requires_two_factor = required
            role.save(update_fields=["requires_two_factor"])
    return role


def user_password_set(*, actor: Any, user: User, password: str, summary: str = "Password changed") -> User:
    """Set ``user``'s password (the user themself: after proving the old one, or through a reset or
    invitation link). Validated by the configured validators; audited as a security event."""
    if getattr(actor, "pk", None) != user.pk:
        raise PermissionDenied(_("Only the user themself sets their password."))
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationFailed(_("The password is not accepted."), errors={"password": list(error.messages)}) from None
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(actor=actor, action=AuditAction.SECURITY, obj=user, summary=summary)
    return user


def user_invite(
    *,
    actor: Any,
    email: str,
    full_name: str,
    role_codes: Iterable[str] = (),
    teams: Iterable[Team] = (),
    base_url: str,
) -> User:
    """Create a user without a usable password, put them in ``teams`` and, once committed, email them a
    link to choose a password (valid ``INVITATION_VALID_DAYS`` days). ``base_url`` is e.g.
    ``https://crm.example.com``."""
    teams = list(teams)
    with transaction.atomic():
        user = user_create(actor=actor, email=email, full_name=full_name, role_codes=role_codes)
        if teams:
            user_teams_set(actor=actor, user=user, teams=teams)
        transaction.on_commit(lambda: _invitation_send_logged(actor=actor, user=user, base_url=base_url))
    return user


def _invitation_send_logged(*, actor: Any, user: User, base_url: str) -> None:
    """After the user is committed: a mail server failure must not undo the invitation; it is logged and
    the administrator can resend it from the user's page."""
    import logging

    try:
        user_invitation_send(actor=actor, user=user, base_url=base_url)
    except Exception:
        logging.getLogger(__name__).exception("Could not send the invitation to %s", user.email)


def user_invitation_send(*, actor: Any, user: User, base_url: str) -> None:
    """Email ``user`` a link to choose their password. Used for new users and to resend an invitation to
    someone who has not set a password yet."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    if not can(actor, "create", resource="user"):
        raise PermissionDenied(_("You may not invite users."))
    if not user.is_active or user.has_usable_password():
        raise ValidationFailed(_("This user has already set a password."), errors={"user": [_("Already set up.")]})
    path = reverse("identity:invitation-accept", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": invitation_token_generator.make_token(user)})
    context = {"link": base_url.rstrip("/") + path, "email": user.email, "days": INVITATION_VALID_DAYS,
               "inviter": str(actor) if getattr(actor, "pk", None) else settings.WORKSPACE_NAME}
    subject = "".join(render_to_string("identity/invitation_subject.txt", context).splitlines())
    send_mail(subject, render_to_string("identity/invitation_email.txt", context), None, [user.email])
