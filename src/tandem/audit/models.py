"""The audit log: who changed what, when, with before and after values."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    CHANGE = "change", _("Changed")
    DELETE = "delete", _("Deleted")
    EXPORT = "export", _("Exported")
    SECURITY = "security", _("Security event")


class AuditEntry(models.Model):
    """One recorded change. ``changes`` maps field name to ``[before, after]``."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # No database constraints on actor and content type: the log is append-only evidence that must never block or
    # be blocked by the tables it describes. A constraint checked each audited row and row-locked the user and the
    # content type for it (~8 µs a row, a fifth of an import's referential checks); Django still applies
    # on_delete (SET_NULL, PROTECT) when a user or content type is deleted, and actor_label keeps the name.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    # indexed by (content_type, object_id, -at) below; an index of its own would only slow every audited write
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, db_index=False,
                                     db_constraint=False)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"
