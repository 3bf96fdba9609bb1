"""The renewal engine's settings and its record of each contract end it has handled (docs/renewals-and-quotas.md).

``RenewalSettings`` is one row (pk 1) administrators edit: the notice and negotiation windows, the playbook (task
templates dated relative to the end date) and the multi-year discount rules. ``RenewalRecord`` is written once per
(subscription, end date): it is what makes the daily job idempotent, and it holds the outcome of that renewal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import Account
from tandem.core.models import PublicModel
from tandem.renewals.choices import AssignmentBasis, RenewalOutcome

DEFAULT_NOTICE_DAYS = 90
DEFAULT_NEGOTIATION_DAYS = 30
DEFAULT_PLAYBOOK = [
    {"offset_days": -90, "title": "Review usage and health"},
    {"offset_days": -60, "title": "Confirm the decision maker and the renewal date"},
    {"offset_days": -45, "title": "Prepare renewal quote"},
    {"offset_days": -30, "title": "Start the price negotiation"},
]
DEFAULT_DISCOUNT_RULES = [{"min_term_months": 24, "discount_percent": "10"},
                          {"min_term_months": 36, "discount_percent": "15"}]


def _default_playbook() -> list[dict[str, object]]:
    return [dict(step) for step in DEFAULT_PLAYBOOK]


def _default_rules() -> list[dict[str, object]]:
    return [dict(rule) for rule in DEFAULT_DISCOUNT_RULES]


class RenewalSettings(models.Model):
    """The renewal engine's configuration (one row). ``playbook``: ``[{"offset_days": -45, "title": "…"}]``;
    ``discount_rules``: ``[{"min_term_months": 24, "discount_percent": "10"}]`` (see ``logic``)."""

    notice_days = models.PositiveIntegerField(_("notice (days before the end)"), default=DEFAULT_NOTICE_DAYS)
    negotiation_days = models.PositiveIntegerField(_("negotiation opens (days before the end)"),
                                                   default=DEFAULT_NEGOTIATION_DAYS)
    playbook = models.JSONField(_("renewal playbook"), default=_default_playbook, blank=True)
    discount_rules = models.JSONField(_("multi-year discounts"), default=_default_rules, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("renewal settings")
        verbose_name_plural = _("renewal settings")
        constraints = [models.CheckConstraint(condition=Q(negotiation_days__lte=models.F("notice_days")),
                                              name="renewalsettings_negotiation_within_notice")]

    def __str__(self) -> str:
        return "Renewal settings"


class RenewalRecord(PublicModel):
    """The renewal of one subscription for one end date: the opportunity the engine created (or found), whom it
    went to and why, when negotiation opened, and the outcome."""

    subscription = models.ForeignKey("contracts.Subscription", on_delete=models.CASCADE, related_name="renewals")
    end_date = models.DateField(_("end date"))
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey("pipeline.Opportunity", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("assigned to"))
    assignment_basis = models.CharField(_("assigned as"), max_length=10, choices=AssignmentBasis.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=RenewalOutcome.choices,
                               default=RenewalOutcome.OPEN)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    mrr = models.DecimalField(_("MRR at notice"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    negotiation_opened_at = models.DateTimeField(_("negotiation opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["end_date", "id"]
        indexes = [models.Index(fields=["outcome", "end_date"], name="renewal_outcome_end"),
                   # the engine's candidate query: records of the notice window only, in (end date, subscription)
                   # order, so skipping contracts already handled does not read years of history
                   models.Index(fields=["end_date", "subscription"], name="renewal_end_subscription")]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "end_date"], name="renewal_once_per_end_date"),
            models.CheckConstraint(condition=Q(outcome__in=RenewalOutcome.values), name="renewal_outcome_known"),
            models.CheckConstraint(condition=~Q(outcome__in=[RenewalOutcome.CHURNED, RenewalOutcome.DOWNGRADED])
                                   | ~Q(reason=""), name="renewal_loss_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Renewal of {self.subscription_id} ending {self.end_date:%Y-%m-%d}"
