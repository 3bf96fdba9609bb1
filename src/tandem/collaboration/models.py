"""Comments (with @mentions) on any registered record, and handoffs of an account between roles."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import Account
from tandem.collaboration.choices import HandoffStatus, HandoffStep
from tandem.core.models import PublicModel
from tandem.identity.models import Role


class Comment(PublicModel):
    """A comment on a record (an account, a contact, an activity, later tasks and tickets). ``body`` is the
    markdown source with mention tokens ``@[Full Name](user-public-id)``; ``body_html`` its sanitised rendering.
    ``parent`` makes it a reply (one level: a reply to a reply hangs under the same first comment).
    Deleting sets ``deleted_at`` (the audit log keeps the text)."""

    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="comments",
                               verbose_name=_("author"))
    body = models.TextField(_("comment"))
    body_html = models.TextField(blank=True, editable=False)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["target_type", "target_id", "created_at"], name="comment_target")]

    def __str__(self) -> str:
        text = " ".join(self.body.split())
        return text[:60] + ("…" if len(text) > 60 else "")


class CommentMention(models.Model):
    """``user`` is mentioned in ``comment`` (and was notified once, whatever later edits do)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_mentions")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="comment_mention_once")]

    def __str__(self) -> str:
        return f"{self.user} in {self.comment_id}"


class HandoffTemplate(PublicModel):
    """The checklist of one transition between roles (AE → implementation, implementation → CSM, …).
    ``checklist`` is a list of item texts; a handoff copies it when it starts."""

    from_role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="+", verbose_name=_("from role"))
    to_role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="+", verbose_name=_("to role"))
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["from_role__position", "to_role__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["from_role", "to_role"], name="handoff_template_one_per_transition"),
            models.CheckConstraint(condition=~Q(from_role=models.F("to_role")), name="handoff_template_two_roles"),
        ]

    def __str__(self) -> str:
        return self.name


class Handoff(PublicModel):
    """``from_user`` (in ``from_role``) hands ``account`` to ``to_user`` (in ``to_role``). ``checklist`` is the
    template's items with their state: ``[{"label", "done", "done_by", "done_at"}]``. At most one open
    (pending) handoff per account and receiving role, so no step has two owners."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="handoffs",
                                verbose_name=_("account"))
    template = models.ForeignKey(HandoffTemplate, null=True, on_delete=models.SET_NULL, related_name="handoffs")
    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="handoffs_sent",
                                  verbose_name=_("from"))
    from_role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="+", verbose_name=_("from role"))
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="handoffs_received", verbose_name=_("to"))
    to_role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="+", verbose_name=_("to role"))
    checklist = models.JSONField(default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    assign_seat = models.BooleanField(_("put the receiver on the account team when accepted"), default=True)
    status = models.CharField(_("status"), max_length=10, choices=HandoffStatus.choices,
                              default=HandoffStatus.PENDING)
    decline_reason = models.TextField(_("reason"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["to_user", "status"], name="handoff_receiver"),
                   models.Index(fields=["from_user", "status"], name="handoff_sender")]
        constraints = [
            models.UniqueConstraint(fields=["account", "to_role"], condition=Q(status="pending"),
                                    name="handoff_one_open_per_seat"),
            models.CheckConstraint(condition=Q(status__in=HandoffStatus.values), name="handoff_status_known"),
            models.CheckConstraint(condition=~Q(from_user=models.F("to_user")), name="handoff_two_people"),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.from_role.name} → {self.to_role.name}"

    @property
    def is_open(self) -> bool:
        return self.status == HandoffStatus.PENDING

    @property
    def checklist_done(self) -> int:
        return sum(1 for item in self.checklist if item.get("done"))


class HandoffEvent(models.Model):
    """One step of a handoff: who did what when. The timeline entry of a step points at its event."""

    handoff = models.ForeignKey(Handoff, on_delete=models.CASCADE, related_name="events")
    step = models.CharField(max_length=10, choices=HandoffStep.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.handoff_id} {self.step}"
