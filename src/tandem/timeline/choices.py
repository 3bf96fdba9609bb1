from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityType(models.TextChoices):
    CALL = "call", _("Call")
    EMAIL = "email", _("Email")
    MEETING = "meeting", _("Meeting")
    NOTE = "note", _("Note")
    CHAT = "chat", _("Chat")
    TICKET_EVENT = "ticket_event", _("Ticket event")
    STAGE_CHANGE = "stage_change", _("Stage change")
    SYSTEM_EVENT = "system_event", _("System event")


# People log these; Tandem records the others (stage changes, ticket and system events) and nobody edits them.
USER_TYPES = frozenset({ActivityType.CALL, ActivityType.EMAIL, ActivityType.MEETING, ActivityType.NOTE,
                        ActivityType.CHAT})
SYSTEM_TYPES = frozenset(set(ActivityType) - USER_TYPES)


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")
    NONE = "none", _("No direction")
