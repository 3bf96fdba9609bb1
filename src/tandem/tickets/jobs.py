"""Background jobs of tickets."""

from __future__ import annotations

from tandem.tickets import services


def send_sla_alerts_job() -> None:
    """Warn agents before SLA deadlines and notify them at a breach (each once: claimed by a unique row)."""
    services.sla_alerts_send()
