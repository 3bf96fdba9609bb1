"""Fixtures of the tickets tests: the real mail servers (see mailserver.py)."""

from tandem.tickets.tests.mailserver import dovecot, smtp_sink  # noqa: F401 - fixtures
