"""Permission rows an administrator edits: role × resource × action × scope, and field groups."""

from __future__ import annotations

from django.db import models

from tandem.access.choices import Action, Scope
from tandem.core.models import TimeStampedModel
from tandem.identity.models import Role


class Permission(TimeStampedModel):
    """Role ``role`` may perform ``action`` on ``resource`` records within ``scope``."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="permissions")
    resource = models.CharField(max_length=40)
    action = models.CharField(max_length=10, choices=Action.choices)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.OWN)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["role", "resource", "action"], name="permission_unique_rule"),
        ]
        ordering = ["resource", "action", "role__position"]

    def __str__(self) -> str:
        return f"{self.role.code}: {self.action} {self.resource} ({self.scope})"


class FieldGroupPermission(TimeStampedModel):
    """Whether ``role`` may read and/or write the fields of ``field_group`` on ``resource``."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="field_group_permissions")
    resource = models.CharField(max_length=40)
    field_group = models.CharField(max_length=40)
    can_read = models.BooleanField(default=True)
    can_write = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["role", "resource", "field_group"], name="field_group_permission_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(can_write=True, can_read=False), name="field_group_write_implies_read"
            ),
        ]
        ordering = ["resource", "field_group", "role__position"]
