"""Writes for users, roles, teams, tokens and logins."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from tandem.identity.models import LoginAttempt


def login_attempts_purge() -> int:
    """Delete login attempts older than a day past the lockout window. Returns how many."""
    cutoff = timezone.now() - datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES, days=1)
    deleted, _ = LoginAttempt.objects.filter(attempted_at__lt=cutoff).delete()
    return deleted
