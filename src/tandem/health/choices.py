"""Choices of the health app: scorecard segments and components, colours, code-red reasons, playbook roles."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tandem.health import logic


class Segment(models.TextChoices):
    """Which accounts a scorecard scores: by account tier; "" is the default for every tier without its own."""

    ALL = "", _("Every other account")
    HIGH_TOUCH = "high_touch", _("High-touch")
    MID_TOUCH = "mid_touch", _("Mid-touch")
    TECH_TOUCH = "tech_touch", _("Tech-touch")


class ComponentKind(models.TextChoices):
    USAGE_FREQUENCY = logic.USAGE_FREQUENCY, _("Usage frequency")
    USAGE_TREND = logic.USAGE_TREND, _("Usage trend")
    BREADTH = logic.BREADTH, _("Breadth of use")
    SEATS = logic.SEATS, _("Active users vs. licensed seats")
    SUPPORT = logic.SUPPORT, _("Support-ticket load")
    MARKETING = logic.MARKETING, _("Marketing engagement")
    RENEWAL = logic.RENEWAL, _("Renewal proximity")
    SURVEYS = logic.SURVEYS, _("NPS / CSAT")


class Color(models.TextChoices):
    RED = logic.RED, _("Red")
    YELLOW = logic.YELLOW, _("Yellow")
    GREEN = logic.GREEN, _("Green")


class RiskReason(models.TextChoices):
    RED = "red", _("Score crossed into red")
    DROP = "drop", _("Score dropped sharply")


class PlaybookRole(models.TextChoices):
    CSM = "csm", _("Customer success manager")
    AM = "am", _("Account manager")
    OWNER = "owner", _("Account owner")


# What a component measures and in which unit (shown beside the value in explanations and the editor).
COMPONENT_UNITS = {
    logic.USAGE_FREQUENCY: _("active days in the window"),
    logic.USAGE_TREND: _("percent change of events against the previous window"),
    logic.BREADTH: _("distinct features used in the window"),
    logic.SEATS: _("peak daily active users per 100 licensed seats"),
    logic.SUPPORT: _("severity-weighted tickets opened in the window"),
    logic.MARKETING: _("opens and clicks per 100 marketing emails"),
    logic.RENEWAL: _("days until the next renewal"),
    logic.SURVEYS: _("survey score"),
}

SKIP_REASONS = {
    "no_usage": _("no product usage in either window"),
    "no_subscription": _("no active subscription"),
    "no_email": _("no marketing email sent in the window"),
    "no_surveys": _("surveys are not available yet"),
    "zero_weight": _("weight 0"),
}
