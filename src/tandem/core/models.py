"""Abstract base models shared by every app."""

from __future__ import annotations

import secrets

from django.db import models


def new_public_id() -> str:
    """A random, URL-safe identifier for URLs and the API (internal keys stay integers)."""
    return secrets.token_urlsafe(12)


class TimeStampedModel(models.Model):
    """Adds creation and last-change times."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class PublicModel(TimeStampedModel):
    """A model with a non-guessable public identifier used in URLs and the API."""

    public_id = models.CharField(max_length=24, unique=True, default=new_public_id, editable=False)

    class Meta:
        abstract = True
