from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleCode(models.TextChoices):
    """The roles of PRODUCT.md plus manager, administrator and viewer.

    Roles are data (rows of ``identity.Role``); these codes name the ones seeded by
    the data migration so code can refer to them without magic strings.
    """

    SDR = "sdr", _("SDR (sales development rep)")
    AE = "ae", _("Account executive")
    SUPPORT_TIER1 = "support_tier1", _("Support, tier 1")
    SUPPORT_TIER2 = "support_tier2", _("Support, tier 2")
    AM = "am", _("Account manager")
    IMPLEMENTATION = "implementation", _("Implementation specialist")
    CSM = "csm", _("Customer success manager")
    RENEWAL = "renewal", _("Renewal specialist")
    MANAGER = "manager", _("Manager")
    ADMINISTRATOR = "administrator", _("Administrator")
    VIEWER = "viewer", _("Viewer (read-only)")
