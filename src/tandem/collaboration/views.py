"""Pages for comments (a block shown under any commentable record, htmx-driven), mention suggestions, handoffs
and the handoff templates' administration."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tandem.access.choices import Action
from tandem.access.decide import can, effective_scope
from tandem.accounts import selectors as account_selectors
from tandem.accounts.choices import TEAM_ROLE_CODES
from tandem.collaboration import selectors, services
from tandem.collaboration.forms import CommentForm, HandoffDeclineForm, HandoffStartForm, HandoffTemplateForm
from tandem.collaboration.models import Comment, Handoff
from tandem.collaboration.registry import commentable_for_model
from tandem.core.exceptions import DomainError, NotFound, PermissionDenied
from tandem.core.forms import add_domain_errors
from tandem.identity import selectors as identity_selectors
from tandem.identity.requests import AuthedRequest

# --- comments --------------------------------------------------------------------------------------------


def comment_block_context(actor: Any, record: Any, form: CommentForm | None = None) -> dict[str, Any] | None:
    """The context of the comments block under ``record`` (None when the actor may not read comments)."""
    if not can(actor, Action.VIEW, resource="comment"):
        return None
    item = commentable_for_model(type(record))
    return {
        "record": record, "object_type": item.resource_name, "record_title": item.title_for(record),
        "threads": selectors.comment_threads(actor=actor, record=record),
        "can_comment": can(actor, Action.CREATE, resource="comment"),
        "edit_scope": effective_scope(actor, "comment", Action.CHANGE),
        "delete_scope": effective_scope(actor, "comment", Action.DELETE),
        "comment_form": form or CommentForm(),
        "block_id": f"comments-{item.resource_name}-{record.public_id}",
    }


def _record_or_404(request: AuthedRequest, object_type: str, object_id: str) -> Any:
    try:
        return selectors.record_get(actor=request.user, object_type=object_type, object_id=object_id)
    except NotFound:
        raise Http404 from None


def _comment_or_404(request: AuthedRequest, public_id: str) -> Comment:
    try:
        return selectors.comment_get(actor=request.user, public_id=public_id)
    except NotFound:
        raise Http404 from None


def _block(request: AuthedRequest, record: Any, form: CommentForm | None = None, *, status: int = 200) -> HttpResponse:
    context = comment_block_context(request.user, record, form)
    if context is None:
        raise Http404
    if request.htmx:  # htmx swaps 200 responses only: a refused comment comes back in the block with its errors
        return render(request, "collaboration/comments.html", context)
    return render(request, "collaboration/record_comments.html", {
        **context, "record_url": commentable_for_model(type(record)).url_for(record)}, status=status)


@login_required
def record_comments(request: AuthedRequest, object_type: str, object_id: str) -> HttpResponse:
    """GET: the comments of a record (the block for htmx, a page otherwise). POST: add a comment."""
    record = _record_or_404(request, object_type, object_id)
    if request.method != "POST":
        return _block(request, record)
    form = CommentForm(request.POST)
    if form.is_valid():
        parent = None
        try:
            if form.cleaned_data["parent"]:
                parent = selectors.comment_get(actor=request.user, public_id=form.cleaned_data["parent"])
            comment = services.comment_post(actor=request.user, record=record, body=form.cleaned_data["body"],
                                            parent=parent)
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            if request.htmx:
                return _block(request, record)
            return redirect(services.comment_url(comment))
    return _block(request, record, form, status=422)


@login_required
@require_GET
def comment_open(request: AuthedRequest, public_id: str) -> HttpResponse:
    """A comment's permanent link: the record's page at the comment."""
    comment = _comment_or_404(request, public_id)
    record = comment.target
    if record is None:
        raise Http404
    url = commentable_for_model(type(record)).url_for(record)
    return redirect(f"{url}#comment-{comment.public_id}")


@login_required
def comment_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    comment = _comment_or_404(request, public_id)
    record = comment.target
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_update(actor=request.user, comment=comment, body=form.cleaned_data["body"])
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            if request.htmx:
                return _block(request, record)
            return redirect(services.comment_url(comment))
    if not can(request.user, Action.CHANGE, comment):
        raise PermissionDenied(_("You may only edit your own comments."))
    context = {**(comment_block_context(request.user, record) or {}), "comment": comment, "edit_form": form}
    if request.htmx:
        return render(request, "collaboration/comments.html#edit_form", context)
    return render(request, "collaboration/comment_edit.html", context, status=422 if form.errors else 200)


@login_required
@require_POST
def comment_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    comment = _comment_or_404(request, public_id)
    record = comment.target
    if record is None:
        raise Http404
    services.comment_delete(actor=request.user, comment=comment)
    if request.htmx:
        return _block(request, record)
    messages.success(request, _("Comment deleted."))
    return redirect(commentable_for_model(type(record)).url_for(record))


@login_required
@require_GET
def mention_suggestions(request: AuthedRequest) -> JsonResponse:
    """Colleagues the author may mention on the record: ``?q=`` (name or email), ``object_type``, ``object_id``."""
    record = None
    if request.GET.get("object_type"):
        record = _record_or_404(request, request.GET["object_type"], request.GET.get("object_id", ""))
    users = selectors.mention_candidates(actor=request.user, query=request.GET.get("q", ""), record=record)
    return JsonResponse({"items": [{"id": user.public_id, "name": str(user), "email": user.email}
                                   for user in users]})


# --- handoffs --------------------------------------------------------------------------------------------


def _start_choices(actor: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(transitions the actor can start — templates from one of their roles, receivers for those)."""
    templates = list(selectors.handoff_templates_from_roles_of(actor=actor))
    transitions = [(template.public_id, f"{template.from_role.name} → {template.to_role.name}")
                   for template in templates]
    receivers: dict[str, str] = {}
    for template in templates:
        for user in selectors.receivers_for(role_code=template.to_role.code):
            if user.pk != actor.pk:
                receivers.setdefault(user.public_id, f"{user} ({template.to_role.name})")
    return transitions, sorted(receivers.items(), key=lambda pair: pair[1])


def account_section_context(actor: Any, account: Any) -> dict[str, Any] | None:
    """The handoffs card of the Account 360 page: open and recent handoffs, and the start form."""
    if not can(actor, Action.VIEW, resource="handoff"):
        return None
    handoffs = list(selectors.handoffs_of_account(actor=actor, account=account)[:10])
    may_start = can(actor, Action.CREATE, resource="handoff") and can(actor, Action.CHANGE, account)
    form = None
    if may_start:
        transitions, receivers = _start_choices(actor)
        form = HandoffStartForm(transitions=transitions, receivers=receivers) if transitions else None
    if not handoffs and form is None:
        return None
    return {"handoffs": handoffs, "start_form": form}


def comments_section_context(actor: Any, record: Any) -> dict[str, Any] | None:
    return comment_block_context(actor, record)


@login_required
@require_POST
def handoff_start(request: AuthedRequest, public_id: str) -> HttpResponse:
    try:
        account = account_selectors.account_get(actor=request.user, public_id=public_id)
    except NotFound:
        raise Http404 from None
    transitions, receivers = _start_choices(request.user)
    form = HandoffStartForm(request.POST, transitions=transitions, receivers=receivers)
    if form.is_valid():
        data = form.cleaned_data
        try:
            template = selectors.handoff_template_get(actor=request.user, public_id=data["transition"])
            to_user = selectors.users_by_public_id(public_ids=[data["to_user"]]).get(data["to_user"])
            handoff = services.handoff_start(actor=request.user, account=account, to_user=to_user,
                                             to_role_code=template.to_role.code,
                                             from_role_code=template.from_role.code, note=data["note"],
                                             assign_seat=data["assign_seat"])
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Handoff sent to %(user)s.") % {"user": handoff.to_user})
            return redirect("collaboration:handoff-detail", handoff.public_id)
    return render(request, "collaboration/handoff_start.html", {
        "nav_active": "accounts", "account": account, "start_form": form}, status=422)


def _handoff_or_404(request: AuthedRequest, public_id: str) -> Handoff:
    try:
        return selectors.handoff_get(actor=request.user, public_id=public_id)
    except NotFound:
        raise Http404 from None


def _detail(request: AuthedRequest, handoff: Handoff, decline_form: HandoffDeclineForm | None = None,
            error: str = "", status: int = 200) -> HttpResponse:
    actor = request.user
    return render(request, "collaboration/handoff_detail.html", {
        "nav_active": "home", "handoff": handoff, "account": handoff.account,
        "events": handoff.events.select_related("actor"),
        "may_see_account": can(actor, Action.VIEW, handoff.account),
        "is_receiver": actor.pk == handoff.to_user_id, "is_sender": actor.pk == handoff.from_user_id,
        "can_tick": handoff.is_open and can(actor, Action.CHANGE, handoff),
        "can_cancel": handoff.is_open and actor.pk != handoff.to_user_id and (
            actor.pk == handoff.from_user_id or can(actor, Action.CHANGE, handoff)),
        "decline_form": decline_form or HandoffDeclineForm(), "error": error}, status=status)


@login_required
@require_GET
def handoff_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    return _detail(request, _handoff_or_404(request, public_id))


@login_required
@require_POST
def handoff_tick(request: AuthedRequest, public_id: str) -> HttpResponse:
    handoff = _handoff_or_404(request, public_id)
    done = set(request.POST.getlist("done"))
    items = {index: str(index) in done for index in range(len(handoff.checklist))}
    try:
        services.handoff_tick(actor=request.user, handoff=handoff, items=items)
    except DomainError as error:
        return _detail(request, handoff, error=error.message, status=422 if error.status == 422 else error.status)
    messages.success(request, _("Checklist saved."))
    return redirect("collaboration:handoff-detail", handoff.public_id)


@login_required
@require_POST
def handoff_accept(request: AuthedRequest, public_id: str) -> HttpResponse:
    handoff = _handoff_or_404(request, public_id)
    try:
        services.handoff_accept(actor=request.user, handoff=handoff)
    except DomainError as error:
        return _detail(request, selectors.handoff_get(actor=request.user, public_id=public_id), error=error.message,
                       status=error.status)
    messages.success(request, _("You took over %(account)s.") % {"account": handoff.account.name})
    return redirect("collaboration:handoff-detail", handoff.public_id)


@login_required
@require_POST
def handoff_decline(request: AuthedRequest, public_id: str) -> HttpResponse:
    handoff = _handoff_or_404(request, public_id)
    form = HandoffDeclineForm(request.POST)
    if form.is_valid():
        try:
            services.handoff_decline(actor=request.user, handoff=handoff, reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Handoff declined."))
            return redirect("collaboration:handoff-detail", handoff.public_id)
    return _detail(request, handoff, decline_form=form, status=422)


@login_required
@require_POST
def handoff_cancel(request: AuthedRequest, public_id: str) -> HttpResponse:
    handoff = _handoff_or_404(request, public_id)
    try:
        services.handoff_cancel(actor=request.user, handoff=handoff)
    except DomainError as error:
        return _detail(request, handoff, error=error.message, status=error.status)
    messages.success(request, _("Handoff cancelled."))
    return redirect("collaboration:handoff-detail", handoff.public_id)


# --- handoff templates (administration) ------------------------------------------------------------------


def _role_choices() -> list[tuple[str, str]]:
    return [(role.code, role.name) for role in identity_selectors.role_list() if role.code in TEAM_ROLE_CODES]


@login_required
def template_list(request: AuthedRequest) -> HttpResponse:
    actor = request.user
    if not can(actor, Action.VIEW, resource="handoff_template"):
        raise Http404
    may_create = can(actor, Action.CREATE, resource="handoff_template")
    form = HandoffTemplateForm(request.POST or None, roles=_role_choices())
    if request.method == "POST":
        if not may_create:
            raise PermissionDenied(_("You may not add handoff templates."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.handoff_template_create(actor=actor, from_role_code=data["from_role"],
                                                 to_role_code=data["to_role"], name=data["name"],
                                                 description=data["description"],
                                                 checklist=data["checklist"].splitlines(),
                                                 is_active=data["is_active"])
            except DomainError as error:
                add_domain_errors(form, error)
            else:
                messages.success(request, _("Handoff template added."))
                return redirect("collaboration:template-list")
    return render(request, "collaboration/template_list.html", {
        "nav_active": "handoff_templates", "templates": selectors.handoff_template_list(actor=actor),
        "form": form if may_create else None,
        "can_change": can(actor, Action.CHANGE, resource="handoff_template")},
        status=422 if form.errors else 200)


@login_required
def template_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    actor = request.user
    try:
        template = selectors.handoff_template_get(actor=actor, public_id=public_id)
    except NotFound:
        raise Http404 from None
    if not can(actor, Action.CHANGE, resource="handoff_template"):
        raise PermissionDenied(_("You may not change handoff templates."))
    initial = {"from_role": template.from_role.code, "to_role": template.to_role.code, "name": template.name,
               "description": template.description, "checklist": "\n".join(template.checklist),
               "is_active": template.is_active}
    form = HandoffTemplateForm(request.POST or None, initial=initial, roles=_role_choices(), editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.handoff_template_update(actor=actor, template=template, name=data["name"],
                                             description=data["description"],
                                             checklist=data["checklist"].splitlines(), is_active=data["is_active"])
        except DomainError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, _("Handoff template saved."))
            return redirect("collaboration:template-list")
    return render(request, "collaboration/template_edit.html", {
        "nav_active": "handoff_templates", "template": template, "form": form,
        "back_url": reverse("collaboration:template-list")}, status=422 if form.errors else 200)
