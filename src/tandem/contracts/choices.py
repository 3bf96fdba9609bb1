"""Choices of the contracts app: catalog items, pricing models, subscription statuses, change kinds, movements."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductKind(models.TextChoices):
    PLAN = "plan", _("Plan")
    ADD_ON = "add_on", _("Add-on")


class PricingModel(models.TextChoices):
    PER_SEAT = "per_seat", _("Per seat")
    FLAT = "flat", _("Flat")


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CHURNED = "churned", _("Cancelled")
    EXPIRED = "expired", _("Expired")


class ChangeKind(models.TextChoices):
    CREATED = "created", _("Created")
    SEAT_CHANGE = "seat_change", _("Seat change")
    ADD_ON_ADDED = "add_on_added", _("Add-on added")
    ADD_ON_REMOVED = "add_on_removed", _("Add-on removed")
    ADD_ON_CHANGE = "add_on_change", _("Add-ons changed")
    PLAN_UPGRADE = "plan_upgrade", _("Plan upgrade")
    PLAN_DOWNGRADE = "plan_downgrade", _("Plan downgrade")
    PRICE_CHANGE = "price_change", _("Price change")
    RENEWAL = "renewal", _("Renewal")
    CHURN = "churn", _("Cancelled")
    EXPIRY = "expiry", _("Expired")
    REACTIVATION = "reactivation", _("Reactivation")


class Movement(models.TextChoices):
    """How one change moves recurring revenue (see docs/revenue.md)."""

    NONE = "", _("No movement")
    NEW = "new", _("New")
    EXPANSION = "expansion", _("Expansion")
    CONTRACTION = "contraction", _("Contraction")
    CHURN = "churn", _("Churn")
    REACTIVATION = "reactivation", _("Reactivation")
