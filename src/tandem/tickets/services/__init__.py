"""Writes for tickets: authorise → validate → write (with the status interval and the ticket's event) → audit →
account timeline → notify, all in one transaction (notifications are outbox rows; delivery runs after commit).

The SLA fields are recomputed from the recorded status intervals after every change that can move them
(``sla._refresh_sla``), so the queues sort by a stored deadline.

A package by sub-domain: ``intake`` (opening a ticket), ``routing``, ``lifecycle`` (fields, status, assignment,
escalation, satisfaction, deletion, bulk), ``messages`` (replies and notes), ``attachments``, ``sla``
(bookkeeping and alerts) and ``common``. The public names are re-exported here; import them from
``tandem.tickets.services``."""

from tandem.tickets.services.attachments import ticket_attach
from tandem.tickets.services.common import (
    AUDITED_FIELDS,
    MAX_ATTACHMENTS,
    MAX_BODY,
    MAX_BULK,
    MAX_MENTIONS,
    MAX_REASON,
    MAX_TAGS,
    check_can_change,
    check_can_create,
    check_can_view,
    ticket_url,
)
from tandem.tickets.services.intake import ticket_create
from tandem.tickets.services.lifecycle import (
    BulkRefused,
    ticket_assign,
    ticket_bulk_update,
    ticket_delete,
    ticket_escalate,
    ticket_hand_to_csm,
    ticket_rate,
    ticket_set_status,
    ticket_update,
)
from tandem.tickets.services.messages import ticket_note, ticket_receive_reply, ticket_reply
from tandem.tickets.services.routing import Route, route_for
from tandem.tickets.services.sla import sla_alerts_send

__all__ = [
    "AUDITED_FIELDS", "MAX_ATTACHMENTS", "MAX_BODY", "MAX_BULK", "MAX_MENTIONS", "MAX_REASON", "MAX_TAGS",
    "BulkRefused", "Route", "check_can_change", "check_can_create", "check_can_view", "route_for",
    "sla_alerts_send", "ticket_assign", "ticket_attach", "ticket_bulk_update", "ticket_create", "ticket_delete",
    "ticket_escalate", "ticket_hand_to_csm", "ticket_note", "ticket_rate", "ticket_receive_reply", "ticket_reply",
    "ticket_set_status", "ticket_update", "ticket_url",
]
