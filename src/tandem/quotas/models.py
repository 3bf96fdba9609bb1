"""Quotas: a target for one person in one role over one period (docs/renewals-and-quotas.md). Attainment is not
stored: it is computed from the data (won opportunities, calls, opportunities created) when read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.core.models import PublicModel
from tandem.quotas.choices import Metric, Period


class Quota(PublicModel):
    """``user`` in ``role`` should reach ``target`` of ``metric`` in the period starting ``period_start`` (the
    first day of a month, quarter or year). Money targets are in ``currency`` (the workspace currency)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quotas",
                             verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=30)
    metric = models.CharField(_("metric"), max_length=14, choices=Metric.choices, default=Metric.BOOKINGS)
    period = models.CharField(_("period"), max_length=8, choices=Period.choices, default=Period.MONTH)
    period_start = models.DateField(_("period start"))
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["period_start", "user_id", "metric", "id"]
        indexes = [models.Index(fields=["period", "period_start"], name="quota_period")]
        constraints = [
            models.UniqueConstraint(fields=["user", "metric", "period", "period_start"], name="quota_once_per_period"),
            models.CheckConstraint(condition=Q(target__gt=0), name="quota_target_positive"),
            models.CheckConstraint(condition=Q(metric__in=Metric.values), name="quota_metric_known"),
            models.CheckConstraint(condition=Q(period__in=Period.values), name="quota_period_known"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.metric} {self.period} {self.period_start:%Y-%m-%d}"
