"""Renewals listening to the pipeline (a lower layer that does not know renewals exist): a renewal opportunity
moved to a won or lost stage — on the board, through the API or any service — closes its renewal at once, in the
same transaction as the move. Won: recorded as renewed, or downgraded when it took seats away (the win itself
renewed the contract through the pipeline); lost: the subscription churns with the loss reason. The daily run's
outcome step stays as a safety net (it finds nothing left to do for these)."""

from __future__ import annotations

from typing import Any

from tandem.core.events import declare, subscribe
from tandem.pipeline.choices import OpportunityType, StageKind


def on_opportunity_stage_changed(*, actor: Any, opportunity: Any, from_stage: Any) -> None:
    kind = opportunity.stage.kind
    if opportunity.type != OpportunityType.RENEWAL or kind not in (StageKind.WON, StageKind.LOST):
        return
    from tandem.renewals import engine
    from tandem.renewals.choices import RenewalOutcome
    from tandem.renewals.models import RenewalRecord

    record = (RenewalRecord.objects.select_related("subscription", "account", "opportunity")
              .filter(opportunity=opportunity, outcome=RenewalOutcome.OPEN).first())
    if record is None:
        return
    if kind == StageKind.WON:
        engine.record_win(actor=actor, record=record, opportunity=opportunity)
    else:
        engine.record_loss(actor=actor, record=record, reason=opportunity.loss_reason)


def register() -> None:
    declare("opportunity.stage_changed", ("opportunity", "from_stage"))  # idempotent: pipeline declares it too
    subscribe("opportunity.stage_changed", on_opportunity_stage_changed)
