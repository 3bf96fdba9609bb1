"""Turning stored scores into the sentences people read: each component's label, value with its unit, points and
the data behind it; each contribution to a change; each driver of a prediction. Shared by pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.health import logic
from tandem.health.choices import COMPONENT_UNITS, SKIP_REASONS, ComponentKind
from tandem.health.selectors import Explanation

FEATURE_LABELS = {
    "events_30d": gettext_lazy("Product events, last 30 days (log)"),
    "usage_trend": gettext_lazy("Usage trend against the 30 days before (log ratio)"),
    "active_days_30d": gettext_lazy("Active days, last 30 days"),
    "features_30d": gettext_lazy("Distinct features used, last 30 days"),
    "seat_ratio": gettext_lazy("Peak daily users per licensed seat"),
    "tickets_weighted_30d": gettext_lazy("Severity-weighted tickets, last 30 days"),
    "tickets_90d": gettext_lazy("Tickets, last 90 days"),
    "email_engagement": gettext_lazy("Marketing email opens and clicks per email"),
    "days_to_renewal": gettext_lazy("Days until renewal"),
    "tenure_days": gettext_lazy("Customer for (days, log)"),
    "mrr": gettext_lazy("MRR (log)"),
    "health_score": gettext_lazy("Health score"),
}


def label_of(kind: str) -> str:
    if kind == logic.OVERRIDE:
        return str(_("Manual override"))
    try:
        return str(ComponentKind(kind).label)
    except ValueError:
        return kind


def data_text(component: logic.ComponentResult) -> str:
    """The data behind a component's value, as a short sentence."""
    detail = component.detail
    kind = component.kind
    if kind == logic.USAGE_FREQUENCY:
        return _("%(days)s active days and %(events)s events in %(window)s days") % {
            "days": detail.get("active_days", 0), "events": detail.get("events", 0),
            "window": detail.get("window_days", 30)}
    if kind == logic.USAGE_TREND:
        return _("%(now)s events against %(before)s in the window before") % {
            "now": detail.get("events", 0), "before": detail.get("events_previous", 0)}
    if kind == logic.BREADTH:
        return _("%(count)s distinct features") % {"count": detail.get("features", 0)}
    if kind == logic.SEATS:
        return _("%(users)s users at the peak, %(seats)s seats") % {"users": detail.get("peak_users", 0),
                                                                     "seats": detail.get("seats") or 0}
    if kind == logic.SUPPORT:
        return _("%(count)s tickets, weighted %(weighted)s by severity") % {
            "count": detail.get("tickets", 0), "weighted": detail.get("weighted", 0)}
    if kind == logic.MARKETING:
        return _("%(sent)s sent, %(engaged)s opens and clicks, %(unsubscribed)s unsubscribed") % {
            "sent": detail.get("sent", 0), "engaged": detail.get("engaged", 0),
            "unsubscribed": detail.get("unsubscribed", 0)}
    if kind == logic.RENEWAL:
        days = detail.get("days_to_renewal")
        return "" if days is None else _("renews in %(days)s days") % {"days": days}
    return ""


@dataclass(frozen=True)
class ComponentRow:
    kind: str
    label: str
    value: float | None
    unit: str
    points: int
    max_points: int
    weight: int
    data: str
    skipped: str


def component_rows(explanation: Explanation) -> list[ComponentRow]:
    rows = []
    for component in explanation.components:
        skipped = ""
        if component.skipped:
            skipped = str(SKIP_REASONS.get(component.skipped, component.skipped))
        rows.append(ComponentRow(kind=component.kind, label=label_of(component.kind), value=component.value,
                                 unit=str(COMPONENT_UNITS.get(component.kind, "")), points=component.points,
                                 max_points=component.max_points, weight=component.weight,
                                 data=data_text(component), skipped=skipped))
    return rows


@dataclass(frozen=True)
class ContributionRow:
    kind: str
    label: str
    points: int


def contribution_rows(explanation: Explanation) -> list[ContributionRow]:
    return [ContributionRow(kind=kind, label=label_of(kind), points=points)
            for kind, points in sorted(explanation.contributions.items(), key=lambda item: -abs(item[1]))]


@dataclass(frozen=True)
class DriverRow:
    feature: str
    label: str
    value: float
    contribution: float
    raises_risk: bool


def driver_rows(prediction: Any) -> list[DriverRow]:
    return [DriverRow(feature=item["feature"], label=str(FEATURE_LABELS.get(item["feature"], item["feature"])),
                      value=item["value"], contribution=item["contribution"], raises_risk=item["contribution"] > 0)
            for item in prediction.drivers]
