"""Timeline pages: the feeds (account, with or without its children, and contact), logging and editing an
activity, and an .eml dropped on the account."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts import selectors as account_selectors
from tandem.api.pagination import paginate
from tandem.contacts import selectors as contact_selectors
from tandem.core.exceptions import DomainError, NotFound, PermissionDenied
from tandem.core.forms import add_domain_errors
from tandem.identity.requests import AuthedRequest
from tandem.timeline import selectors, services
from tandem.timeline.forms import ActivityForm, ActivityLogForm, EmailDropForm, FeedFilterForm

PAGE_SIZE = 20


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _person(actor: Any, value: str) -> tuple[int | None, int | None]:
    """(user id, contact id) for a person filter ``u:<id>`` / ``c:<id>``; an unknown person matches nothing."""
    kind, _sep, public_id = value.partition(":")
    if kind == "u" and public_id:
        user = selectors.user_by_reference(reference=public_id, actor=actor)
        return (user.pk if user else -1), None
    if kind == "c" and public_id:
        try:
            return None, contact_selectors.contact_get(actor=actor, public_id=public_id).pk
        except NotFound:
            return None, -1
    return None, None


def _feed_context(actor: Any, query: QueryDict, *, account: Any = None, contact: Any = None) -> dict[str, Any]:
    """One page of a feed: ``query`` holds the filters and the cursor (empty for a section's first page)."""
    form = FeedFilterForm(query)
    form.is_valid()
    cleaned = form.cleaned_data if not form.errors else {}
    user_id, contact_id = _person(actor, cleaned.get("person") or "")
    if contact is not None:
        contact_id = contact.pk
    account_ids = None
    if account is not None:
        account_ids = selectors.feed_account_ids(actor=actor, account=account,
                                                 include_children=bool(cleaned.get("children")))
    filters = selectors.ActivityFilters(
        account_ids=account_ids, contact_id=contact_id, user_id=user_id, types=tuple(cleaned.get("type") or ()),
        since=_start_of(cleaned["since"]) if cleaned.get("since") else None,
        until=_start_of(cleaned["until"] + datetime.timedelta(days=1)) if cleaned.get("until") else None)
    page = paginate(selectors.activity_list(actor=actor, filters=filters), ordering=selectors.FEED_ORDERING,
                    limit=PAGE_SIZE, cursor=query.get("cursor") or None)
    if account is not None:
        base = reverse("timeline:account-feed", args=[account.public_id])
    else:
        base = reverse("timeline:contact-feed", args=[contact.public_id])
    next_url = None
    if page.next_cursor:
        pairs = [(key, value) for key in query if key != "cursor" for value in query.getlist(key)]
        next_url = f"{base}?{urlencode([*pairs, ('cursor', page.next_cursor)])}"
    return {"activities": page.items, "next_url": next_url, "filter_form": form, "feed_url": base,
            "show_account": account is None or bool(cleaned.get("children")),
            "can_change_any": can(actor, Action.CHANGE, resource="activity")}


def account_section_context(actor: Any, account: Any) -> dict[str, Any] | None:
    """The timeline card of the Account 360 page (registered in sections.py)."""
    if not can(actor, Action.VIEW, resource="activity"):
        return None
    users, contacts = selectors.people_of_account(actor=actor, account=account)
    may_log = can(actor, Action.CREATE, resource="activity")
    return {**_feed_context(actor, QueryDict(), account=account), "people_users": users,
            "people_contacts": contacts, "has_children": account.children.exists(), "can_log": may_log,
            "log_form": (ActivityLogForm(contacts=contacts, allow_files=_may_attach(actor, account))
                         if may_log else None),
            "email_form": EmailDropForm() if may_log else None}


def contact_section_context(actor: Any, contact: Any) -> dict[str, Any] | None:
    """The timeline card of the contact page (registered in sections.py)."""
    if not can(actor, Action.VIEW, resource="activity"):
        return None
    return {**_feed_context(actor, QueryDict(), contact=contact), "contact": contact}


def _account_or_404(request: AuthedRequest, public_id: str) -> Any:
    try:
        return account_selectors.account_get(actor=request.user, public_id=public_id)
    except NotFound:
        raise Http404 from None


def _render_feed(request: AuthedRequest, context: dict[str, Any], *, title: str, back_url: str) -> HttpResponse:
    if request.htmx:
        template = "timeline/feed.html#items" if request.GET.get("cursor") else "timeline/feed.html"
        return render(request, template, context)
    return render(request, "timeline/feed_page.html", {**context, "title": title, "back_url": back_url})


@login_required
def account_feed(request: AuthedRequest, public_id: str) -> HttpResponse:
    account = _account_or_404(request, public_id)
    if not can(request.user, Action.VIEW, resource="activity"):
        raise Http404
    context = _feed_context(request.user, request.GET, account=account)
    return _render_feed(request, {**context, "nav_active": "accounts", "account": account},
                        title=_("Timeline of %(name)s") % {"name": account.name},
                        back_url=reverse("accounts:account-detail", args=[account.public_id]))


@login_required
def contact_feed(request: AuthedRequest, public_id: str) -> HttpResponse:
    try:
        contact = contact_selectors.contact_get(actor=request.user, public_id=public_id)
    except NotFound:
        raise Http404 from None
    if not can(request.user, Action.VIEW, resource="activity"):
        raise Http404
    context = _feed_context(request.user, request.GET, contact=contact)
    return _render_feed(request, {**context, "nav_active": "contacts", "contact": contact},
                        title=_("Timeline of %(name)s") % {"name": contact},
                        back_url=reverse("contacts:contact-detail", args=[contact.public_id]))


def _may_attach(actor: Any, account: Any) -> bool:
    """May ``actor`` upload attachments with the short form (add files to the account)?"""
    return can(actor, Action.CREATE, resource="file") and can(actor, Action.CHANGE, account)


def _account_url(account: Any) -> str:
    return reverse("accounts:account-detail", args=[account.public_id]) + "#account-timeline"


@login_required
def activity_log(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    account = _account_or_404(request, public_id)
    if not can(actor, Action.CREATE, resource="activity"):
        raise PermissionDenied(_("You may not log activities on this account."))
    _users, contacts = selectors.people_of_account(actor=actor, account=account)
    form = ActivityLogForm(request.POST or None, request.FILES or None, contacts=contacts,
                           allow_files=_may_attach(actor, account))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = {contact.public_id: contact for contact in contacts}
        try:
            services.activity_log(actor=actor, account=account, type=data["type"], direction=data["direction"],
                                  occurred_at=data["occurred_at"], subject=data["subject"], body=data["body"],
                                  contacts=[chosen[public_id] for public_id in data["contacts"]],
                                  uploads=data.get("attachments") or [])
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Logged."))
            return redirect(_account_url(account))
    return render(request, "timeline/activity_form.html", {
        "nav_active": "accounts", "account": account, "form": form,
        "action_url": reverse("timeline:activity-log", args=[account.public_id])},
        status=422 if form.errors else 200)


@login_required
def activity_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    try:
        activity = selectors.activity_get(actor=actor, public_id=public_id)
    except NotFound:
        raise Http404 from None
    if not can(actor, Action.CHANGE, activity) or activity.is_recorded_by_tandem:
        raise PermissionDenied(_("You may not change this activity."))
    _users, contacts = selectors.people_of_account(actor=actor, account=activity.account)
    known = {contact.public_id: contact for contact in [*contacts, *activity.contacts.all()]}
    initial = {"type": activity.type, "direction": activity.direction,
               "occurred_at": timezone.localtime(activity.occurred_at), "subject": activity.subject,
               "body": activity.body, "contacts": [contact.public_id for contact in activity.contacts.all()]}
    form = ActivityForm(request.POST or None, initial=initial, contacts=list(known.values()))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.activity_update(actor=actor, activity=activity, type=data["type"], direction=data["direction"],
                                     occurred_at=data["occurred_at"] or activity.occurred_at,
                                     subject=data["subject"], body=data["body"],
                                     contacts=[known[public_id] for public_id in data["contacts"]])
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Activity saved."))
            return redirect(_account_url(activity.account))
    return render(request, "timeline/activity_form.html", {
        "nav_active": "accounts", "account": activity.account, "form": form, "activity": activity,
        "action_url": reverse("timeline:activity-edit", args=[activity.public_id])},
        status=422 if form.errors else 200)


@login_required
@require_POST
def activity_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    try:
        activity = selectors.activity_get(actor=request.user, public_id=public_id)
    except NotFound:
        raise Http404 from None
    account = activity.account
    services.activity_delete(actor=request.user, activity=activity)
    messages.success(request, _("Activity deleted."))
    return redirect(_account_url(account))


@login_required
@require_POST
def email_import(request: AuthedRequest, public_id: str) -> HttpResponse:
    account = _account_or_404(request, public_id)
    form = EmailDropForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose an .eml file first."))
        return redirect(_account_url(account))
    upload = form.cleaned_data["file"]
    try:
        result = services.email_import(actor=request.user, account=account, upload=upload)
    except DomainError as error:
        messages.error(request, f"{upload.name}: {error.message}")
    else:
        messages.success(request, _("The e-mail “%(subject)s” is on the timeline.")
                         % {"subject": result.activity.subject})
        for reason in result.skipped:
            messages.warning(request, _("Attachment left out: %(reason)s") % {"reason": reason})
    return redirect(_account_url(account))
