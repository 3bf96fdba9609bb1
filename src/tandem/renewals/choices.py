"""Choices of the renewals app: what became of a contract's renewal, and who it was given to."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RenewalOutcome(models.TextChoices):
    OPEN = "open", _("Open")
    SKIPPED = "skipped", _("Renewed early by the account manager")
    RENEWED = "renewed", _("Renewed")
    DOWNGRADED = "downgraded", _("Renewed with a downgrade")
    CHURNED = "churned", _("Churned")


class AssignmentBasis(models.TextChoices):
    """Why the renewal went to whom it went to: the account's renewal specialist, else the AM, else the owner."""

    RENEWAL = "renewal", _("Renewal specialist of the account")
    AM = "am", _("Account manager (the account has no renewal specialist)")
    OWNER = "owner", _("Account owner (the account has no renewal specialist or account manager)")
    NONE = "none", _("Nobody (the account has no renewal specialist, account manager or owner)")
    EXISTING = "existing", _("Owner of the renewal opportunity that already existed")
