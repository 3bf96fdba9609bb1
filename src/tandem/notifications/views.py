"""Notification pages: the inbox, the top-bar badge, preferences, the follow button and failed deliveries."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tandem.core.exceptions import DomainError, NotFound, PermissionDenied
from tandem.core.forms import add_domain_errors
from tandem.identity.requests import AuthedRequest
from tandem.notifications import records, selectors, services
from tandem.notifications.choices import Channel
from tandem.notifications.forms import PreferencesForm, TeamWebhookForm, field_name
from tandem.notifications.kinds import all_kinds
from tandem.notifications.logic import masked_url


def _safe_next(request: AuthedRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


@login_required
def notification_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "notifications/notification_list.html", {
        "nav_active": "notifications", "inbox": selectors.inbox(actor=request.user)})


@login_required
@require_GET
def notification_badge(request: AuthedRequest) -> HttpResponse:
    """The bell's unread count, polled by htmx from every page."""
    response = render(request, "notifications/bell.html#badge", {"unread_count": selectors.unread_count(
        actor=request.user)})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def notification_open(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Follow a notification's link, marking it read."""
    try:
        notification = selectors.notification_get(actor=request.user, public_id=public_id)
    except NotFound:
        raise Http404 from None
    services.notification_mark_read(actor=request.user, notification=notification)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect("notifications:notification-list")
    return redirect(target)


@login_required
@require_POST
def notification_read(request: AuthedRequest, public_id: str) -> HttpResponse:
    try:
        notification = selectors.notification_get(actor=request.user, public_id=public_id)
    except NotFound:
        raise Http404 from None
    services.notification_mark_read(actor=request.user, notification=notification)
    return redirect(_safe_next(request, "notifications:notification-list"))


@login_required
@require_POST
def notification_read_all(request: AuthedRequest) -> HttpResponse:
    count = services.notification_mark_all_read(actor=request.user)
    messages.success(request, _("Marked %(count)d notifications read.") % {"count": count})
    return redirect("notifications:notification-list")


@login_required
def preference_edit(request: AuthedRequest) -> HttpResponse:
    user = request.user
    kinds = all_kinds()
    current = selectors.preferences_of(actor=user, user=user)
    initial = {field_name(pref.kind.code, channel): pref.has(channel) for pref in current
               for channel in Channel.values}
    form = PreferencesForm(request.POST or None, kinds=kinds, initial=initial)
    webhook = selectors.chat_webhook_of(user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.preferences_update(actor=user, user=user, choices=form.chosen_channels())
            if form.cleaned_data["remove_chat_webhook"]:
                services.chat_webhook_set(actor=user, user=user, url="")
            elif form.cleaned_data["chat_webhook_url"].strip():
                services.chat_webhook_set(actor=user, user=user, url=form.cleaned_data["chat_webhook_url"])
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Your notification preferences were saved."))
            return redirect("notifications:preference-edit")
    rows = [(pref, [form[field_name(pref.kind.code, channel)] for channel in Channel.values]) for pref in current]
    return render(request, "notifications/preference_edit.html", {
        "form": form, "rows": rows, "channels": Channel.choices,
        "webhook_hint": masked_url(webhook.url) if webhook else ""})


@login_required
def team_webhook_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Set or remove a team's chat webhook (for people who may change teams; anyone else gets 404). After saving
    only the webhook's scheme and host are shown."""
    try:
        team = selectors.team_for_webhook(actor=request.user, public_id=public_id)
    except (NotFound, PermissionDenied):
        raise Http404 from None
    form = TeamWebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        url = "" if form.cleaned_data["remove_chat_webhook"] else form.cleaned_data["chat_webhook_url"]
        try:
            services.chat_webhook_set(actor=request.user, team=team, url=url)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("The team's chat webhook was removed.") if not url
                             else _("The team's chat webhook was saved."))
            return redirect("notifications:team-webhook-edit", public_id=team.public_id)
    webhook = selectors.chat_webhook_of(team=team)
    return render(request, "notifications/team_webhook_edit.html", {
        "nav_active": "teams", "team": team, "form": form,
        "webhook_hint": masked_url(webhook.url) if webhook else ""})


@login_required
@require_POST
def follow_toggle(request: AuthedRequest) -> HttpResponse:
    """Follow or unfollow the record named by ``object_type`` and ``object_id`` (the follow button)."""
    try:
        record = records.record_get(actor=request.user, object_type=request.POST.get("object_type", ""),
                                    object_id=request.POST.get("object_id", ""))
    except NotFound:
        raise Http404 from None
    if request.POST.get("action") == "unfollow":
        services.follow_delete(actor=request.user, obj=record)
    else:
        services.follow_create(actor=request.user, obj=record)
    if request.htmx:
        return render(request, "notifications/follow_button.html", {"record": record, "request": request})
    return redirect(_safe_next(request, records.record_url(record) or "notifications:follow-list"))


@login_required
def follow_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "notifications/follow_list.html", {
        "nav_active": "notifications", "follows": selectors.follow_list(actor=request.user)})


@login_required
def delivery_list(request: AuthedRequest) -> HttpResponse:
    """Deliveries that gave up after their retries, for administrators to check and send again."""
    try:
        failed = list(selectors.outbox_failed(actor=request.user)[:200])
        pending = selectors.outbox_pending_count(actor=request.user)
    except PermissionDenied:
        raise Http404 from None
    return render(request, "notifications/delivery_list.html", {
        "nav_active": "deliveries", "failed": failed, "pending": pending})


@login_required
@require_POST
def delivery_retry(request: AuthedRequest, row_id: int) -> HttpResponse:
    try:
        row = selectors.outbox_row_get(actor=request.user, row_id=row_id)
        services.outbox_retry(actor=request.user, row=row)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The delivery will be sent again."))
    return redirect("notifications:delivery-list")
