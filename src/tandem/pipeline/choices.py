from django.db import models
from django.utils.translation import gettext_lazy as _


class LeadSource(models.TextChoices):
    TRIAL = "trial", _("Trial sign-up")
    WEB_FORM = "web_form", _("Web form")
    EVENT = "event", _("Event")
    REFERRAL = "referral", _("Referral")
    IMPORT = "import", _("Import")
    OTHER = "other", _("Other")


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    WORKING = "working", _("Working")
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")


OPEN_LEAD_STATUSES = (LeadStatus.NEW, LeadStatus.WORKING)


class CallOutcome(models.TextChoices):
    CONNECTED = "connected", _("Connected")
    VOICEMAIL = "voicemail", _("Left a voicemail")
    NO_ANSWER = "no_answer", _("No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class OpportunityType(models.TextChoices):
    NEW_BUSINESS = "new_business", _("New business")
    UPSELL = "upsell", _("Upsell")
    CROSS_SELL = "cross_sell", _("Cross-sell")
    EXPANSION = "expansion", _("Expansion")
    RENEWAL = "renewal", _("Renewal")


# Types that change an existing subscription; winning one with a linked subscription amends or renews it.
SUBSCRIPTION_TYPES = (OpportunityType.UPSELL, OpportunityType.CROSS_SELL, OpportunityType.EXPANSION,
                      OpportunityType.RENEWAL)


class StageKind(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
