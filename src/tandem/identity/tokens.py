"""Signed one-time links: invitations to choose a first password.

Password-reset links use Django's ``default_token_generator`` (valid ``PASSWORD_RESET_TIMEOUT``). An
invitation is answered later than a reset request, so it gets its own generator: a different salt (a reset
token is never accepted as an invitation or the other way round) and a longer validity."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

INVITATION_VALID_DAYS = 3


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Like the reset generator (single use: the hash covers the password and last login), valid for
    ``INVITATION_VALID_DAYS`` days, and void once the user is deactivated."""

    key_salt = "tandem.identity.tokens.InvitationTokenGenerator"
    valid_for = datetime.timedelta(days=INVITATION_VALID_DAYS)

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return super()._make_hash_value(user, timestamp) + str(user.is_active)

    def check_token(self, user: Any, token: str | None) -> bool:
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            timestamp = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
                   for secret in [self.secret, *self.secret_fallbacks]):
            return False
        return self._num_seconds(self._now()) - timestamp <= self.valid_for.total_seconds()


invitation_token_generator = InvitationTokenGenerator()
