from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat")
    EMAIL = "email", _("Email")
    WEB_FORM = "web_form", _("Web form")
    MARKETING_REPLY = "marketing_reply", _("Reply to marketing mail")
    API = "api", _("API")


class Category(models.TextChoices):
    QUESTION = "question", _("Question")
    PRODUCT_SETUP = "product_setup", _("Product setup")
    BUG = "bug", _("Bug")
    INTEGRATION = "integration", _("Integration")
    BILLING = "billing", _("Billing")
    FEATURE_REQUEST = "feature_request", _("Feature request")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


# Severity weights for the ticket load fed to the health score: an urgent ticket weighs as much as five low ones.
SEVERITY_WEIGHT: dict[str, int] = {Priority.LOW: 1, Priority.NORMAL: 2, Priority.HIGH: 3, Priority.URGENT: 5}


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING_CUSTOMER = "pending_customer", _("Pending customer")
    ON_HOLD = "on_hold", _("On hold")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


# Tickets someone still has to work on: they are in queues, have running SLA timers and count as backlog.
ACTIVE_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING_CUSTOMER, Status.ON_HOLD)
DONE_STATUSES = (Status.SOLVED, Status.CLOSED)
# The SLA clock stands still while we wait for the customer.
PAUSED_STATUSES = (Status.PENDING_CUSTOMER,)


class Tier(models.IntegerChoices):
    ONE = 1, _("Tier 1")
    TWO = 2, _("Tier 2")


class MessageKind(models.TextChoices):
    REPLY = "reply", _("Public reply")
    NOTE = "note", _("Internal note")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("From the customer")
    OUTBOUND = "outbound", _("To the customer")
    INTERNAL = "internal", _("Internal")


class SlaMetric(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    RESOLUTION = "resolution", _("Resolution")


class AlertKind(models.TextChoices):
    WARNING = "warning", _("Breach warning")
    BREACH = "breach", _("Breached")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    ROUTED = "routed", _("Routed")
    ASSIGNED = "assigned", _("Assigned")
    STATUS_CHANGED = "status_changed", _("Status changed")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    ESCALATED = "escalated", _("Escalated")
    HANDED_TO_CSM = "handed_to_csm", _("Handed to the CSM")
    REPLIED = "replied", _("Replied")
    NOTED = "noted", _("Internal note")
    SATISFACTION = "satisfaction", _("Satisfaction rated")
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACHED = "sla_breached", _("SLA breached")
