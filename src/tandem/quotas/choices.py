"""Choices of the quotas app: what a quota measures and over which period."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    BOOKINGS = "bookings", _("Recurring revenue booked (MRR)")
    ONE_OFF = "one_off", _("One-off revenue booked")
    CALLS = "calls", _("Calls made")
    OPPORTUNITIES = "opportunities", _("Opportunities created")


MONEY_METRICS = (Metric.BOOKINGS, Metric.ONE_OFF)


class Period(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")
