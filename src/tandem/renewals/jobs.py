"""Background jobs of renewals."""

from __future__ import annotations

from tandem.renewals import engine


def run_renewals_job() -> None:
    """The daily renewal run: notices at 90 days, negotiation at 30, outcomes of renewals closed elsewhere
    (idempotent: a second run the same day writes nothing)."""
    engine.renewals_run()
