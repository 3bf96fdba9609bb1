"""Files on the customer card."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tandem.accounts.models import Account
from tandem.core.models import PublicModel


class StoredFile(PublicModel):
    """An uploaded file attached to an account (optionally to one of its contacts)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    blob = models.FileField(upload_to="accounts/%Y/%m/", max_length=500)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "-created_at"])]

    def __str__(self) -> str:
        return self.name
