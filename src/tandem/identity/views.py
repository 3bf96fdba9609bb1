"""Login (with lockout and two-factor), logout, password change and reset, invitations, profile, API tokens."""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from tandem.core.exceptions import DomainError
from tandem.core.forms import add_domain_errors
from tandem.identity import selectors, services
from tandem.identity.forms import (
    CodeForm,
    LoginForm,
    PasswordResetRequestForm,
    ProfileForm,
    TokenForm,
    TwoFactorDisableForm,
)
from tandem.identity.logic import qr_code_svg, totp_provisioning_uri
from tandem.identity.models import User
from tandem.identity.requests import AuthedRequest
from tandem.identity.tokens import invitation_token_generator

GENERIC_LOGIN_ERROR = gettext_lazy(
    "Email or password is incorrect, or the account is temporarily locked. Try again later.")
PENDING_KEY = "tandem_2fa_pending_user"
PENDING_SINCE_KEY = "tandem_2fa_pending_since"
PENDING_NEXT_KEY = "tandem_2fa_next"
PENDING_SECONDS = 5 * 60
LANGUAGE_KEY = "tandem_language"


def _me(request: AuthedRequest) -> User:
    """The logged-in user as a real model instance. ``request.user`` is a lazy proxy, and services that
    audit a change to the user record need the instance itself (its type names the audited record)."""
    proxy = request.user
    return getattr(proxy, "_wrapped", proxy) if proxy.is_authenticated else proxy


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def safe_next(request: HttpRequest, fallback: str = "web:home") -> str:
    """The ``next`` parameter when it points inside this site, else ``fallback`` (no open redirects)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(fallback)


def _finish_login(request: HttpRequest, user: User, target: str) -> HttpResponse:
    login(request, user, backend="tandem.identity.backends.EmailBackend")
    if user.language:
        request.session[LANGUAGE_KEY] = user.language
    return redirect(target)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    """Every attempt is recorded; while an email (or an address) is locked even the right password fails,
    and every failure shows the same message, so the page never tells whether an email has an account."""
    if request.user.is_authenticated:
        return redirect(safe_next(request))
    form = LoginForm(request.POST or None)
    error = None
    if request.method == "POST":
        email = request.POST.get("username", "").strip().lower()
        ip_address = _client_ip(request)
        user = None
        if form.is_valid() and not selectors.login_is_locked(email=email, ip_address=ip_address):
            user = authenticate(request, username=email, password=form.cleaned_data["password"])
        services.login_attempt_record(email=email, ip_address=ip_address, succeeded=user is not None)
        if user is not None:
            device = selectors.totp_device_for(user=user)
            if device is not None and device.is_confirmed:
                # Not logged in yet: only a pending marker until the code is checked.
                request.session.cycle_key()
                request.session[PENDING_KEY] = user.pk
                request.session[PENDING_SINCE_KEY] = int(time.time())
                request.session[PENDING_NEXT_KEY] = safe_next(request)
                return redirect("identity:login-verify")
            return _finish_login(request, user, safe_next(request))
        error = GENERIC_LOGIN_ERROR
    return render(request, "identity/login.html", {"form": form, "error": error,
                                                   "next": request.GET.get("next", "")})


def _pending_user(request: HttpRequest) -> User | None:
    pending, since = request.session.get(PENDING_KEY), request.session.get(PENDING_SINCE_KEY, 0)
    if not pending or time.time() - since > PENDING_SECONDS:
        return None
    return selectors.user_active_by_pk(pk=pending)


@csrf_protect
@never_cache
def login_verify(request: HttpRequest) -> HttpResponse:
    """Second step of login for users with an authenticator. Wrong codes count as failed logins, so they
    lock the account like wrong passwords; a code already used (same 30-second step) is refused."""
    user = _pending_user(request)
    if user is None:
        for key in (PENDING_KEY, PENDING_SINCE_KEY, PENDING_NEXT_KEY):
            request.session.pop(key, None)
        return redirect("identity:login")
    form = CodeForm(request.POST or None)
    error = None
    if request.method == "POST":
        ip_address = _client_ip(request)
        device = selectors.totp_device_for(user=user)
        ok = (form.is_valid() and device is not None
              and not selectors.login_is_locked(email=user.email, ip_address=ip_address)
              and services.totp_verify(device=device, code=form.cleaned_data["code"]))
        services.login_attempt_record(email=user.email, ip_address=ip_address, succeeded=ok)
        if ok:
            target = request.session.get(PENDING_NEXT_KEY) or reverse("web:home")
            for key in (PENDING_KEY, PENDING_SINCE_KEY, PENDING_NEXT_KEY):
                request.session.pop(key, None)
            return _finish_login(request, user, target)
        error = _("The code is not valid, or the account is temporarily locked. "
                  "Use the current code from your authenticator app.")
    return render(request, "identity/login_verify.html", {"form": form, "error": error})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You have logged out."))
    return redirect("identity:login")


@sensitive_post_parameters()
@login_required
def password_change(request: AuthedRequest) -> HttpResponse:
    me = _me(request)
    form = PasswordChangeForm(me, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_password_set(actor=me, user=me,
                                              password=form.cleaned_data["new_password1"])
        except DomainError as error:
            form.add_error("new_password1", error.message)
        else:
            update_session_auth_hash(request, user)  # this session stays; every other session of the user ends
            messages.success(request, _("Your password was changed."))
            return redirect("identity:profile")
    return render(request, "identity/password_change.html", {"form": form})


password_reset = auth_views.PasswordResetView.as_view(
    form_class=PasswordResetRequestForm,
    template_name="identity/password_reset.html",
    email_template_name="identity/password_reset_email.txt",
    subject_template_name="identity/password_reset_subject.txt",
    success_url=reverse_lazy("identity:password-reset-done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="identity/password_reset_done.html")
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="identity/password_reset_complete.html")


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """Choose a password through a signed link; the password is set by the service (validated, audited)."""

    audit_summary = "Password reset through an emailed link"

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:  # type: ignore[override]
        user = form.user
        try:
            services.user_password_set(actor=user, user=user, password=form.cleaned_data["new_password1"],
                                       summary=self.audit_summary)
        except DomainError as error:
            add_domain_errors(form, error)
            return self.form_invalid(form)
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


password_reset_confirm = PasswordSetView.as_view(
    template_name="identity/password_reset_confirm.html", success_url=reverse_lazy("identity:password-reset-complete"))
invitation_accept = PasswordSetView.as_view(
    token_generator=invitation_token_generator, audit_summary="Invitation accepted: first password chosen",
    template_name="identity/invitation_accept.html", success_url=reverse_lazy("identity:password-reset-complete"))


@login_required
def profile(request: AuthedRequest) -> HttpResponse:
    user = _me(request)
    form = ProfileForm(request.POST or None, initial={"full_name": user.full_name, "time_zone": user.time_zone,
                                                     "language": user.language})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_profile_update(actor=user, user=user, **form.cleaned_data)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            if user.language:
                request.session[LANGUAGE_KEY] = user.language
            else:
                request.session.pop(LANGUAGE_KEY, None)
            messages.success(request, _("Your profile was saved."))
            return redirect("identity:profile")
    return render(request, "identity/profile.html", {"form": form})


@sensitive_post_parameters("password")
@login_required
def two_factor(request: AuthedRequest) -> HttpResponse:
    """Enrol (QR code and key, confirmed by a first code) or, when on, turn it off with password and code."""
    user = _me(request)
    device = selectors.totp_device_for(user=user)
    if device is not None and device.is_confirmed:
        disable_form = TwoFactorDisableForm(request.POST or None)
        if request.method == "POST" and disable_form.is_valid():
            ip_address = _client_ip(request)
            if selectors.login_is_locked(email=user.email, ip_address=ip_address):
                disable_form.add_error(None, _("Too many wrong attempts. Try again later."))
            else:
                try:
                    services.totp_disable(actor=user, user=user, **disable_form.cleaned_data)
                except DomainError as error:
                    services.login_attempt_record(email=user.email, ip_address=ip_address, succeeded=False)
                    add_domain_errors(disable_form, error)
                else:
                    messages.success(request, _("Two-factor authentication is off."))
                    return redirect("identity:two-factor")
        return render(request, "identity/two_factor.html", {"device": device, "form": disable_form})
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if device is not None and form.is_valid() and services.totp_confirm(
                user=user, device=device, code=form.cleaned_data["code"]):
            messages.success(request, _("Two-factor authentication is on."))
            return redirect(safe_next(request))
        form.add_error("code", _("The code is not valid. Check the time on your phone and try again."))
    if device is None or request.method == "GET":
        device = services.totp_enrol_start(user=user)  # a new secret each time the page is opened
    uri = totp_provisioning_uri(secret=device.secret, account_name=user.email, issuer=settings.WORKSPACE_NAME)
    context: dict[str, Any] = {"device": device, "qr_svg": qr_code_svg(uri), "secret": device.secret, "form": form,
                               "required": selectors.two_factor_required(user=user),
                               "next": safe_next(request)}
    return render(request, "identity/two_factor.html", context)


@login_required
def token_list(request: AuthedRequest) -> HttpResponse:
    user = _me(request)
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
    response = render(request, "identity/token_list.html", {
        "form": form, "issued": issued, "tokens": selectors.api_token_list(user=user), "now": timezone.now()})
    if issued is not None:
        response["Cache-Control"] = "no-store"  # the secret must not stay in a cache
    return response


@login_required
@require_POST
def token_revoke(request: AuthedRequest, public_id: str) -> HttpResponse:
    token = selectors.api_token_by_public_id(public_id=public_id)
    if token is None:
        raise Http404
    services.api_token_revoke(actor=request.user, token=token)  # someone else's token: NotFound → 404
    messages.success(request, _("Token revoked."))
    return redirect(safe_next(request, fallback="identity:token-list"))
