"""What a won opportunity does to the contract, through the contracts services (called inside the service that
moved the opportunity to a won stage, so the deal and the contract change commit together or not at all).

* Upsell, cross-sell, expansion with a linked subscription: ``subscription_amend`` effective on the day it was
  won — seats + ``seats_delta``, the ``target_plan``, the ``add_ons`` added to the current lines (quantity 1).
  Nothing to change (no seats, plan or add-ons given) leaves the subscription alone.
* Renewal with a linked subscription: ``subscription_renew`` for ``renewal_term_months`` (default: the current
  term), effective the day after the current end (today if it already ended), seats + ``seats_delta``.
* New business with a ``target_plan`` and seats (``seats_delta``): ``subscription_create`` from the day it was
  won for 12 months at the price book's price; the opportunity is then linked to the new subscription.

The amendment carries the opportunity's public id (``opportunity_ref``) and name (``reason``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from tandem.contracts import services as contract_services
from tandem.pipeline.choices import SUBSCRIPTION_TYPES, OpportunityType
from tandem.pipeline.models import Opportunity

NEW_SUBSCRIPTION_TERM_MONTHS = 12


def apply_won(*, actor: Any, opportunity: Opportunity) -> Any:
    """Amend, renew or create the subscription for a won opportunity; returns the contracts change or
    subscription, or None when the deal changes no contract."""
    today = opportunity.closed_on or timezone.localdate()
    subscription = opportunity.subscription
    if subscription is not None and opportunity.type in SUBSCRIPTION_TYPES:
        seats = subscription.seats + opportunity.seats_delta if opportunity.seats_delta else None
        if opportunity.type == OpportunityType.RENEWAL:
            start = subscription.end_date + datetime.timedelta(days=1)
            return contract_services.subscription_renew(
                actor=actor, subscription=subscription, effective_date=max(start, today),
                term_months=opportunity.renewal_term_months or subscription.term_months, seats=seats,
                opportunity_ref=opportunity.public_id, reason=opportunity.name)
        add_ons = None
        if opportunity.add_ons:
            lines = [{"product": line.product.code, "quantity": line.quantity}
                     for line in subscription.add_ons.select_related("product")]
            present = {line["product"] for line in lines}
            add_ons = lines + [{"product": code, "quantity": 1} for code in opportunity.add_ons if code not in present]
            if len(add_ons) == len(lines):
                add_ons = None
        plan = opportunity.target_plan if opportunity.target_plan_id != subscription.plan_id else None
        if seats is None and plan is None and add_ons is None:
            return None
        return contract_services.subscription_amend(
            actor=actor, subscription=subscription, effective_date=today, seats=seats, plan=plan, add_ons=add_ons,
            reason=opportunity.name, opportunity_ref=opportunity.public_id)
    if opportunity.type == OpportunityType.NEW_BUSINESS and opportunity.target_plan is not None \
            and opportunity.seats_delta:
        created = contract_services.subscription_create(
            actor=actor, account=opportunity.account, plan=opportunity.target_plan, currency=opportunity.currency,
            seats=opportunity.seats_delta, start_date=today, term_months=NEW_SUBSCRIPTION_TERM_MONTHS,
            add_ons=[{"product": code, "quantity": 1} for code in opportunity.add_ons],
            opportunity_ref=opportunity.public_id)
        Opportunity.objects.filter(pk=opportunity.pk).update(subscription=created)
        opportunity.subscription = created
        return created
    return None
