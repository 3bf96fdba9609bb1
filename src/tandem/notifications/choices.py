"""Delivery channels and outbox states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How a notification reaches a person. ``in_app`` is the inbox itself; the others go through the outbox."""

    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("Email immediately")
    DIGEST = "digest", _("Daily email digest")
    CHAT = "chat", _("Chat")


# The channels an outbox row can carry (the digest is sent as one email per person and day).
OUTBOX_CHANNELS = (Channel.EMAIL, Channel.CHAT)
