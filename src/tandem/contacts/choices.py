from django.db import models
from django.utils.translation import gettext_lazy as _


class BuyingRole(models.TextChoices):
    CHAMPION = "champion", _("Champion")
    DECISION_MAKER = "decision_maker", _("Decision maker")
    EXECUTIVE_SPONSOR = "executive_sponsor", _("Executive sponsor")
    USER = "user", _("User")
    BILLING = "billing", _("Billing contact")
