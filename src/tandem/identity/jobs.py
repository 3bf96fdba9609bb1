"""Background jobs of the identity app."""

from __future__ import annotations

from tandem.identity import services


def purge_login_attempts_job() -> None:
    services.login_attempts_purge()
