"""Task pages: "My tasks" (filters, sort, bulk complete/reassign), the task page and form."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tandem.access.choices import Action
from tandem.access.decide import can
from tandem.accounts import selectors as account_selectors
from tandem.api.pagination import paginate
from tandem.contacts import selectors as contact_selectors
from tandem.core.exceptions import DomainError, NotFound, ValidationFailed
from tandem.core.forms import add_domain_errors
from tandem.identity.requests import AuthedRequest
from tandem.scheduling.models import Task
from tandem.scheduling.tasks import selectors, services
from tandem.scheduling.tasks.choices import ACTIVE_STATUSES, TaskPriority, TaskStatus
from tandem.scheduling.tasks.forms import REPEAT_CHOICES, TaskForm
from tandem.scheduling.tasks.selectors import DUE_WINDOWS, TaskFilters

STATUS_FILTERS = {"active": tuple(ACTIVE_STATUSES), "all": (), **{code: (code,) for code in TaskStatus.values}}
SORT_LABELS = {"due": gettext_lazy("Due date"), "-due": gettext_lazy("Due date, latest first"),
               "priority": gettext_lazy("Priority"), "-created": gettext_lazy("Newest first"),
               "title": gettext_lazy("Title")}


def _get_or_404(actor: Any, public_id: str) -> Task:
    try:
        return selectors.task_get(actor=actor, public_id=public_id)
    except NotFound:
        raise Http404 from None


def _person(actor: Any, value: str) -> str:
    return actor.email if value.strip().lower() == "me" else value.strip()


def _visible_account(actor: Any, public_id: str) -> Any:
    if not public_id:
        return None
    try:
        return account_selectors.account_get(actor=actor, public_id=public_id)
    except NotFound:
        return None


@login_required
def task_list(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    if not can(actor, Action.VIEW, resource="task"):
        raise Http404
    params = request.GET
    status = params.get("status", "active") if params.get("status", "active") in STATUS_FILTERS else "active"
    assignee = params.get("assignee", "me")
    sort = params.get("sort", "due") if params.get("sort", "due") in selectors.SORTS else "due"
    filters = TaskFilters(
        assignee_email=_person(actor, assignee), statuses=STATUS_FILTERS[status],
        priority=params.get("priority", "") if params.get("priority") in TaskPriority.values else "",
        account_public_id=params.get("account", "").strip(),
        due=params.get("due", "") if params.get("due") in DUE_WINDOWS else "",
        search=params.get("q", "").strip())
    try:
        tasks, ordering = selectors.task_sorted(tasks=selectors.task_list(actor=actor, filters=filters), sort=sort)
        page = paginate(tasks, ordering=ordering, limit=50, cursor=params.get("cursor") or None)
    except DomainError:
        return redirect("scheduling:task-list")
    now = timezone.now()
    for task in page.items:
        task.is_overdue = selectors.is_task_overdue(task, now=now)
    return render(request, "scheduling/task_list.html", {
        "nav_active": "tasks",
        "page": page,
        "filters": filters,
        "status": status,
        "assignee": assignee,
        "sort": sort,
        "sorts": list(SORT_LABELS.items()),
        "statuses": TaskStatus.choices,
        "priorities": TaskPriority.choices,
        "due_windows": [("overdue", _("Overdue")), ("today", _("Due today")), ("week", _("Due this week")),
                        ("none", _("No due date"))],
        "filter_account": _visible_account(actor, filters.account_public_id),
        "people": account_selectors.account_people(actor=actor),
        "query": params.urlencode(),
        "can_create": can(actor, Action.CREATE, resource="task"),
    })


def _people() -> list[tuple[str, str]]:
    return [(user.email, str(user)) for user in account_selectors.account_people(actor=None)]


def _due_value(actor: Any, data: dict[str, Any]) -> datetime.date | datetime.datetime | None:
    day, time = data.get("due_date"), data.get("due_time")
    if day is None:
        return None
    if time is None:
        return day
    return datetime.datetime.combine(day, time, tzinfo=zoneinfo.ZoneInfo(_zone(actor)))


def _zone(actor: Any) -> str:
    zone = getattr(actor, "time_zone", "") or "UTC"
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return zone


def _fields(actor: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The service's keyword arguments from a valid form."""
    assignee = selectors.assignable_user(email=data["assignee"])
    if assignee is None:
        raise ValidationFailed(_("Unknown assignee."), errors={"assignee": [_("Unknown assignee.")]})
    account = None
    public_id = (data.get("account") or "").strip()
    if public_id:
        try:
            account = account_selectors.account_get(actor=actor, public_id=public_id)
        except NotFound:
            raise ValidationFailed(_("Unknown account."),
                                   errors={"account": [_("Pick an account from the suggestions.")]}) from None
    return {"title": data["title"], "description": data.get("description") or "", "assignee": assignee,
            "account": account, "due": _due_value(actor, data), "priority": data["priority"],
            "recurrence": data.get("rule") or "", "reminder_minutes": data.get("reminder_minutes")}


def _initial_of(actor: Any, task: Task) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "title": task.title, "description": task.description,
        "assignee": task.assignee.email if task.assignee else "",
        "account": task.account.public_id if task.account else "", "priority": task.priority,
        "reminder": "" if task.reminder_minutes is None else str(task.reminder_minutes)}
    if task.due_all_day:
        initial["due_date"] = task.due_date
    elif task.due_at is not None:
        local = task.due_at.astimezone(zoneinfo.ZoneInfo(_zone(actor)))
        initial.update({"due_date": local.date(), "due_time": local.time().replace(second=0, microsecond=0)})
    presets = {code for code, _label in REPEAT_CHOICES}
    if task.recurrence in presets:
        initial["repeat"] = task.recurrence
    elif task.recurrence:
        initial.update({"repeat": "custom", "recurrence": task.recurrence})
    return initial


def _safe_next(request: AuthedRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


@login_required
def task_create(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    if not can(actor, Action.CREATE, resource="task"):
        raise Http404
    related = None
    contact_id = request.GET.get("contact") or request.POST.get("contact") or ""
    if contact_id:
        try:
            related = contact_selectors.contact_get(actor=actor, public_id=contact_id)
        except NotFound:
            raise Http404 from None
    account_id = request.GET.get("account") or (related.account.public_id if related and related.account else "")
    form = TaskForm(request.POST or None, people=_people(),
                    initial={"account": account_id, "assignee": actor.email, "priority": TaskPriority.NORMAL})
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_create(actor=actor, related=related, **_fields(actor, form.cleaned_data))
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Task created."))
            return redirect(_safe_next(request) or task_url(task))
    return render(request, "scheduling/task_form.html", {"nav_active": "tasks", "form": form, "contact": related,
                                                         "next": _safe_next(request)})


def task_url(task: Task) -> str:
    from django.urls import reverse

    return reverse("scheduling:task-detail", args=[task.public_id])


@login_required
def task_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    task = _get_or_404(actor, public_id)
    task.is_overdue = selectors.is_task_overdue(task, now=timezone.now())  # type: ignore[attr-defined]
    return render(request, "scheduling/task_detail.html", {
        "nav_active": "tasks", "task": task, "related": task.related if task.related_type_id else None,
        "can_change": can(actor, Action.CHANGE, task), "can_delete": can(actor, Action.DELETE, task),
        "is_active": task.status in ACTIVE_STATUSES})


@login_required
def task_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    task = _get_or_404(actor, public_id)
    if not can(actor, Action.CHANGE, task):
        raise Http404
    form = TaskForm(request.POST or None, people=_people(), initial=_initial_of(actor, task))
    if request.method == "POST" and form.is_valid():
        try:
            services.task_update(actor=actor, task=task, **_fields(actor, form.cleaned_data))
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Task saved."))
            return redirect(task_url(task))
    return render(request, "scheduling/task_form.html", {"nav_active": "tasks", "form": form, "task": task})


STATUS_SERVICES = {"done": services.task_complete, "open": services.task_reopen,
                   "in_progress": services.task_start, "cancelled": services.task_cancel}


@login_required
@require_POST
def task_status(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    task = _get_or_404(actor, public_id)
    change = STATUS_SERVICES.get(request.POST.get("status", ""))
    if change is None:
        raise Http404
    change(actor=actor, task=task)
    if request.POST.get("status") == "done":
        messages.success(request, _("Task completed."))
    return redirect(_safe_next(request) or task_url(task))


@login_required
@require_POST
def task_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    services.task_delete(actor=request.user, task=_get_or_404(request.user, public_id))
    messages.success(request, _("Task deleted."))
    return redirect("scheduling:task-list")


@login_required
@require_POST
def task_bulk(request: AuthedRequest) -> HttpResponse:
    """Complete or reassign the ticked tasks: all of them, or none with the reason for each refused one."""
    actor = request.user
    public_ids = request.POST.getlist("tasks")
    action = request.POST.get("action", "")
    try:
        if action == "complete":
            result = services.task_bulk_complete(actor=actor, public_ids=public_ids)
            messages.success(request, _("%(count)d tasks completed.") % {"count": len(result.tasks)})
        elif action == "reassign":
            assignee = selectors.assignable_user(email=request.POST.get("assignee", ""))
            result = services.task_bulk_reassign(actor=actor, public_ids=public_ids, assignee=assignee)
            messages.success(request, _("%(count)d tasks reassigned.") % {"count": len(result.tasks)})
        else:
            messages.error(request, _("Choose what to do with the tasks."))
    except DomainError as error:
        details = "; ".join(f"{key}: {' '.join(reasons)}" for key, reasons in error.errors.items())
        messages.error(request, f"{error.message} {details}".strip())
    return redirect(_safe_next(request) or "scheduling:task-list")
