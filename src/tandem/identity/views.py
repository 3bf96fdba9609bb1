"""Login (with lockout and two-factor), logout, password change and reset, profile, API tokens."""

from __future__ import annotations

import datetime
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from tandem.core.exceptions import DomainError
from tandem.core.forms import add_domain_errors
from tandem.identity import selectors, services
from tandem.identity.forms import CodeForm, LoginForm, ProfileForm, TokenForm
from tandem.identity.models import User
from tandem.identity.requests import AuthedRequest

GENERIC_LOGIN_ERROR = "Email or password is incorrect, or the account is temporarily locked. Try again later."
PENDING_KEY = "tandem_2fa_pending_user"
LANGUAGE_KEY = "tandem_language"


def _client_ip(request: AuthedRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _next_url(request: AuthedRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return str(reverse_lazy("web:home"))


def _finish_login(request: AuthedRequest, user: User, target: str = "") -> HttpResponse:
    login(request, user, backend="tandem.identity.backends.EmailBackend")
    if user.language:
        request.session[LANGUAGE_KEY] = user.language
    return redirect(target or _next_url(request))


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: AuthedRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = LoginForm(request.POST or None)
    error = None
    if request.method == "POST":
        email = request.POST.get("username", "").strip().lower()
        ip_address = _client_ip(request)
        if form.is_valid() and not selectors.login_is_locked(email=email, ip_address=ip_address):
            user = authenticate(request, username=email, password=form.cleaned_data["password"])
            services.login_attempt_record(email=email, ip_address=ip_address, succeeded=user is not None)
            if user is not None:
                device = selectors.totp_device_for(user=user)
                if device is not None and device.is_confirmed:
                    request.session.cycle_key()
                    request.session[PENDING_KEY] = user.pk
                    request.session["tandem_2fa_next"] = _next_url(request)
                    return redirect("identity:login-verify")
                return _finish_login(request, user)
        elif form.is_valid():
            services.login_attempt_record(email=email, ip_address=ip_address, succeeded=False)
        error = _(GENERIC_LOGIN_ERROR)
    return render(request, "identity/login.html", {"form": form, "error": error,
                                                   "next": request.GET.get("next", "")})


@csrf_protect
@never_cache
def login_verify(request: AuthedRequest) -> HttpResponse:
    """Second step of login for users with an authenticator: the session is not logged in before this."""
    pending = request.session.get(PENDING_KEY)
    user = selectors.user_active_by_pk(pk=pending) if pending else None
    if user is None:
        return redirect("identity:login")
    form = CodeForm(request.POST or None)
    error = None
    if request.method == "POST":
        ip_address = _client_ip(request)
        device = selectors.totp_device_for(user=user)
        ok = (form.is_valid() and device is not None and not selectors.login_is_locked(email=user.email,
                                                                                       ip_address=ip_address)
              and services.totp_verify(device=device, code=form.cleaned_data["code"]))
        services.login_attempt_record(email=user.email, ip_address=ip_address, succeeded=ok)
        if ok:
            target = request.session.pop("tandem_2fa_next", "")
            del request.session[PENDING_KEY]
            return _finish_login(request, user, target=target)
        error = _("The code is not valid. Use the current code from your authenticator app.")
    return render(request, "identity/login_verify.html", {"form": form, "error": error})


@require_POST
def logout_view(request: AuthedRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You have logged out."))
    return redirect("identity:login")


@login_required
def password_change(request: AuthedRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        from tandem.audit.models import AuditAction
        from tandem.audit.services import audit_record

        audit_record(actor=user, action=AuditAction.SECURITY, obj=user, summary="Password changed")
        messages.success(request, _("Your password was changed."))
        return redirect("identity:profile")
    return render(request, "identity/password_change.html", {"form": form})


password_reset = auth_views.PasswordResetView.as_view(
    template_name="identity/password_reset.html",
    email_template_name="identity/password_reset_email.txt",
    subject_template_name="identity/password_reset_subject.txt",
    success_url=reverse_lazy("identity:password-reset-done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="identity/password_reset_done.html")
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="identity/password_reset_confirm.html", success_url=reverse_lazy("identity:password-reset-complete"))
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="identity/password_reset_complete.html")


@login_required
def profile(request: AuthedRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, initial={"full_name": user.full_name, "time_zone": user.time_zone,
                                                     "language": user.language})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_profile_update(actor=user, user=user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if user.language:
                request.session[LANGUAGE_KEY] = user.language
            else:
                request.session.pop(LANGUAGE_KEY, None)
            messages.success(request, _("Your profile was saved."))
            return redirect("identity:profile")
    return render(request, "identity/profile.html", {"form": form})


@login_required
def two_factor(request: AuthedRequest) -> HttpResponse:
    user = request.user
    device = selectors.totp_device_for(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "disable":
        if device is not None and device.is_confirmed and form.is_valid() and services.totp_verify(
                device=device, code=form.cleaned_data["code"]):
            services.totp_disable(actor=user, user=user)
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("identity:two-factor")
        messages.error(request, _("The code is not valid."))
    elif request.method == "POST":
        if device is not None and not device.is_confirmed and form.is_valid() and services.totp_confirm(
                user=user, device=device, code=form.cleaned_data["code"]):
            messages.success(request, _("Two-factor authentication is on."))
            return redirect(request.GET.get("next") or "web:home")
        form.add_error("code", _("The code is not valid. Check the time on your phone and try again."))
    if device is None or not device.is_confirmed:
        if request.method == "GET" or device is None:
            device = services.totp_enrol_start(user=user)
        import pyotp

        uri = pyotp.TOTP(device.secret).provisioning_uri(name=user.email, issuer_name=settings.WORKSPACE_NAME)
        qr_svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#14324a")
        context: dict[str, Any] = {"device": device, "qr_svg": qr_svg, "secret": device.secret, "form": form,
                                   "required": selectors.two_factor_required(user=user)}
    else:
        context = {"device": device, "form": form}
    return render(request, "identity/two_factor.html", context)


@login_required
def token_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    form = TokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        expires = form.cleaned_data["expires_at"]
        expires_at = datetime.datetime.combine(expires, datetime.time(), tzinfo=datetime.UTC) if expires else None
        try:
            issued = services.api_token_create(actor=user, user=user, name=form.cleaned_data["name"],
                                               scopes=form.cleaned_data["scopes"], expires_at=expires_at)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            form = TokenForm()
    return render(request, "identity/token_list.html", {
        "form": form, "issued": issued, "tokens": selectors.api_token_list(user=user), "now": timezone.now()})


@login_required
@require_POST
def token_revoke(request: AuthedRequest, public_id: str) -> HttpResponse:
    token = selectors.api_token_by_public_id(public_id=public_id)
    if token is None:
        raise Http404
    try:
        services.api_token_revoke(actor=request.user, token=token)
    except DomainError:
        raise Http404 from None
    messages.success(request, _("Token revoked."))
    return redirect(request.POST.get("next") or "identity:token-list")
