from django.db import models
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    """How much human attention an account gets. Only high-touch accounts get a named CSM by default."""

    HIGH_TOUCH = "high_touch", _("High-touch")
    MID_TOUCH = "mid_touch", _("Mid-touch")
    TECH_TOUCH = "tech_touch", _("Tech-touch")


class LifecycleStage(models.TextChoices):
    TRIAL = "trial", _("Trial")
    ONBOARDING = "onboarding", _("Onboarding")
    ADOPTING = "adopting", _("Adopting")
    MATURE = "mature", _("Mature")
    RENEWAL_DUE = "renewal_due", _("Renewal due")
    AT_RISK = "at_risk", _("At risk")
    CHURNED = "churned", _("Churned")


class EmployeeBand(models.TextChoices):
    B1 = "1-10", "1–10"
    B2 = "11-50", "11–50"
    B3 = "51-200", "51–200"
    B4 = "201-1000", "201–1,000"
    B5 = "1001-5000", "1,001–5,000"
    B6 = "5001+", "5,001+"


class StatusFlag(models.TextChoices):
    CODE_RED = "code_red", _("Code red")
    VIP = "vip", _("VIP")
    REFERENCE = "reference", _("Reference customer")
    DO_NOT_CONTACT = "do_not_contact", _("Do not contact")


# Roles that make sense as an account-team seat (not administrator or viewer).
TEAM_ROLE_CODES = ("sdr", "ae", "am", "implementation", "csm", "renewal", "support_tier1", "support_tier2",
                   "manager")
