"""Leads (stage 0), pipelines with their stages, and opportunities."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import Account
from tandem.core.models import PublicModel
from tandem.pipeline.choices import CallOutcome, LeadSource, LeadStatus, OpportunityType, StageKind

CURRENCY_VALIDATOR = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO currency code."))


class Lead(PublicModel):
    """A prospect before it is a customer: usually a trial sign-up an SDR calls and qualifies. Qualification
    turns it into an account (or links it to an existing one), contacts and a new-business opportunity."""

    company_name = models.CharField(_("company"), max_length=200)
    domain = models.CharField(_("domain"), max_length=253, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    contact_first_name = models.CharField(_("first name"), max_length=100, blank=True)
    contact_last_name = models.CharField(_("last name"), max_length=100, blank=True)
    contact_email = models.EmailField(_("email"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact_title = models.CharField(_("job title"), max_length=150, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=LeadSource.choices, default=LeadSource.TRIAL)
    trial_started_on = models.DateField(_("trial start"), null=True, blank=True)
    trial_ends_on = models.DateField(_("trial end"), null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="owned_leads", verbose_name=_("owner"))
    status = models.CharField(_("status"), max_length=12, choices=LeadStatus.choices, default=LeadStatus.NEW)
    disqualify_reason = models.CharField(_("disqualification reason"), max_length=500, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads",
                                verbose_name=_("account"))
    opportunity = models.ForeignKey("Opportunity", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("opportunity"))
    qualified_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "status"], name="lead_owner_status"),
                   models.Index(fields=["external_id"], name="lead_external_id")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=LeadStatus.values), name="lead_status_known"),
            models.CheckConstraint(condition=~Q(status=LeadStatus.DISQUALIFIED) | ~Q(disqualify_reason=""),
                                   name="lead_disqualified_has_reason"),
            models.CheckConstraint(condition=Q(trial_ends_on__isnull=True) | Q(trial_started_on__isnull=True)
                                   | Q(trial_ends_on__gte=models.F("trial_started_on")),
                                   name="lead_trial_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.company_name

    @property
    def contact_name(self) -> str:
        return " ".join(part for part in (self.contact_first_name, self.contact_last_name) if part)


class LeadCall(models.Model):
    """A call an SDR (or anyone) made to a lead. Calls on leads count toward the caller's call KPI, like calls
    logged on an account's timeline."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="calls")
    caller = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=12, choices=CallOutcome.choices,
                               default=CallOutcome.CONNECTED)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["caller", "occurred_at"], name="lead_call_caller_time")]

    def __str__(self) -> str:
        return f"{self.lead} {self.occurred_at:%Y-%m-%d}"


class Pipeline(PublicModel):
    """The stages opportunities of one type move through. One pipeline per opportunity type."""

    opportunity_type = models.CharField(_("opportunity type"), max_length=14, choices=OpportunityType.choices,
                                        unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Stage(PublicModel):
    """One step of a pipeline: its place, its win probability (percent) and whether it is open, won or lost.
    ``code`` is a stable key other apps refer to (the renewal engine opens ``negotiation``)."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    probability = models.PositiveSmallIntegerField(_("win probability (%)"), default=0)
    kind = models.CharField(_("kind"), max_length=4, choices=StageKind.choices, default=StageKind.OPEN)

    class Meta:
        ordering = ["pipeline", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "code"], name="stage_code_unique_in_pipeline"),
            models.CheckConstraint(condition=Q(probability__lte=100), name="stage_probability_percent"),
            models.CheckConstraint(condition=Q(kind__in=StageKind.values), name="stage_kind_known"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.kind == StageKind.OPEN


class Opportunity(PublicModel):
    """A deal on an account: new business, or a change to an existing subscription (upsell, cross-sell,
    expansion, renewal). Its value is the recurring change (``mrr_delta``, per month) plus a one-off amount,
    both in ``currency`` and in the ``pricing`` field group. ``version`` increases with every change; a write
    naming an older version is refused (optimistic locking)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="opportunities",
                                verbose_name=_("account"))
    type = models.CharField(_("type"), max_length=14, choices=OpportunityType.choices)
    name = models.CharField(_("name"), max_length=200)
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="opportunities",
                              verbose_name=_("stage"))
    mrr_delta = models.DecimalField(_("MRR change"), max_digits=14, decimal_places=2, null=True, blank=True)
    one_off_amount = models.DecimalField(_("one-off amount"), max_digits=14, decimal_places=2, null=True,
                                         blank=True)
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY_VALIDATOR])
    close_date = models.DateField(_("close date"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="owned_opportunities", verbose_name=_("owner"))
    competitors = models.JSONField(_("competitors"), default=list, blank=True)
    loss_reason = models.CharField(_("loss reason"), max_length=500, blank=True)
    subscription = models.ForeignKey("contracts.Subscription", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="opportunities", verbose_name=_("subscription"))
    target_plan = models.ForeignKey("contracts.Product", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("target plan"))
    seats_delta = models.IntegerField(_("seat change"), null=True, blank=True)
    add_ons = models.JSONField(_("add-ons"), default=list, blank=True)
    renewal_term_months = models.PositiveSmallIntegerField(_("renewal term (months)"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["close_date", "id"]
        verbose_name_plural = _("opportunities")
        indexes = [
            models.Index(fields=["close_date", "id"], name="opportunity_close"),
            models.Index(fields=["owner", "close_date"], name="opportunity_owner_close"),
            models.Index(fields=["account", "close_date"], name="opportunity_account"),
            models.Index(fields=["closed_on"], name="opportunity_closed_on"),
            models.Index(fields=["created_by", "created_at"], name="opportunity_creator"),
            models.Index(fields=["subscription", "type"], name="opportunity_subscription"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=OpportunityType.values), name="opportunity_type_known"),
            models.CheckConstraint(condition=Q(one_off_amount__isnull=True) | Q(one_off_amount__gte=0),
                                   name="opportunity_one_off_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class OpportunityStageChange(models.Model):
    """One stage move of an opportunity: who, when, from and to (the history behind the timeline entries)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, null=True, on_delete=models.SET_NULL, related_name="+")
    to_stage = models.ForeignKey(Stage, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_stage_id} → {self.to_stage_id}"
