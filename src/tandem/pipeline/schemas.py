from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from tandem.pipeline.choices import CallOutcome, LeadSource, LeadStatus, OpportunityType, StageKind

AMOUNT_HELP = "Decimal string; in the field group 'pricing' (403 for roles that may only read it)"


class Ref(Schema):
    id: str
    name: str


class PersonRef(Schema):
    email: str
    name: str


class LeadOut(Schema):
    id: str
    company_name: str
    domain: str
    country: str
    contact_first_name: str
    contact_last_name: str
    contact_email: str
    contact_phone: str
    contact_title: str
    source: LeadSource
    trial_started_on: datetime.date | None
    trial_ends_on: datetime.date | None
    owner: PersonRef | None
    status: LeadStatus
    disqualify_reason: str
    notes: str
    external_id: str
    account: Ref | None
    opportunity: Ref | None
    qualified_at: datetime.datetime | None
    calls: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class LeadIn(Schema):
    company_name: str = Field(max_length=200)
    domain: str = Field(default="", max_length=253)
    country: str = Field(default="", max_length=2)
    contact_first_name: str = Field(default="", max_length=100)
    contact_last_name: str = Field(default="", max_length=100)
    contact_email: str = Field(default="", max_length=254)
    contact_phone: str = Field(default="", max_length=40)
    contact_title: str = Field(default="", max_length=150)
    source: LeadSource = LeadSource.TRIAL
    trial_started_on: datetime.date | None = None
    trial_ends_on: datetime.date | None = None
    owner: str | None = Field(default=None, description="Email of the owner (an SDR), or 'me' (the default)")
    status: LeadStatus | None = Field(default=None, description="new (default) or working")
    notes: str = Field(default="", max_length=20000)
    external_id: str = Field(default="", max_length=100)


class LeadPatch(Schema):
    company_name: str | None = Field(default=None, max_length=200)
    domain: str | None = Field(default=None, max_length=253)
    country: str | None = Field(default=None, max_length=2)
    contact_first_name: str | None = Field(default=None, max_length=100)
    contact_last_name: str | None = Field(default=None, max_length=100)
    contact_email: str | None = Field(default=None, max_length=254)
    contact_phone: str | None = Field(default=None, max_length=40)
    contact_title: str | None = Field(default=None, max_length=150)
    source: LeadSource | None = None
    trial_started_on: datetime.date | None = None
    trial_ends_on: datetime.date | None = None
    owner: str | None = None
    status: LeadStatus | None = Field(default=None, description="new or working; qualify and disqualify have "
                                                                "their own operations")
    notes: str | None = Field(default=None, max_length=20000)
    external_id: str | None = Field(default=None, max_length=100)


class LeadPage(Schema):
    items: list[LeadOut]
    next_cursor: str | None


class LeadCallIn(Schema):
    outcome: CallOutcome = CallOutcome.CONNECTED
    notes: str = Field(default="", max_length=20000)
    occurred_at: datetime.datetime | None = Field(default=None, description="With an offset; default now")


class LeadCallOut(Schema):
    id: int
    caller: PersonRef | None
    outcome: CallOutcome
    notes: str
    occurred_at: datetime.datetime


class LeadCallPage(Schema):
    items: list[LeadCallOut]
    next_cursor: str | None


class LeadDisqualifyIn(Schema):
    reason: str = Field(max_length=500)


class LeadQualifyIn(Schema):
    ae: str = Field(description="Email of the account executive who takes the deal")
    account: str | None = Field(default=None, description="Public id of an existing account to link instead of "
                                                          "creating one")
    opportunity_name: str = Field(default="", max_length=200)
    close_date: datetime.date | None = Field(default=None, description="Default: in 30 days")
    mrr_delta: Decimal | None = Field(default=None, description=AMOUNT_HELP)
    one_off_amount: Decimal | None = Field(default=None, description=AMOUNT_HELP)
    currency: str | None = Field(default=None, max_length=3)
    note: str = Field(default="", max_length=5000, description="The handoff note to the AE")


class LeadQualifyOut(Schema):
    lead: LeadOut
    account: Ref
    contact: Ref | None
    opportunity: OpportunityOut
    handoff: str | None = Field(description="Public id of the SDR → AE handoff, if one was started")
    account_created: bool


class StageOut(Schema):
    id: str
    code: str
    name: str
    position: int
    probability: int
    kind: StageKind


class PipelineOut(Schema):
    id: str
    name: str
    opportunity_type: OpportunityType
    stages: list[StageOut]


class PipelinePage(Schema):
    items: list[PipelineOut]
    next_cursor: str | None


class StageIn(Schema):
    name: str = Field(max_length=100)
    probability: int = Field(ge=0, le=100)
    kind: StageKind = StageKind.OPEN
    position: int | None = Field(default=None, ge=0, description="Default: last")


class StagePatch(Schema):
    name: str | None = Field(default=None, max_length=100)
    probability: int | None = Field(default=None, ge=0, le=100)
    kind: StageKind | None = None


class StageOrderIn(Schema):
    stages: list[str] = Field(description="Every stage's public id, in the new order")


class OpportunityOut(Schema):
    id: str
    account: Ref
    type: OpportunityType
    name: str
    pipeline: str
    stage: StageOut
    mrr_delta: Decimal | None = Field(description="Null when unset or when you may not read 'pricing'")
    one_off_amount: Decimal | None
    currency: str
    close_date: datetime.date
    closed_on: datetime.date | None
    owner: PersonRef | None
    competitors: list[str]
    loss_reason: str
    subscription: str | None
    target_plan: str | None = Field(description="Product code of the plan to move to")
    seats_delta: int | None
    add_ons: list[str]
    renewal_term_months: int | None
    created_by: PersonRef | None
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class OpportunityIn(Schema):
    account: str = Field(description="Public id of the account")
    type: OpportunityType = OpportunityType.NEW_BUSINESS
    name: str = Field(default="", max_length=200)
    stage: str | None = Field(default=None, description="Public id or code of a stage of the type's pipeline; "
                                                        "default the first open stage")
    mrr_delta: Decimal | None = Field(default=None, description=AMOUNT_HELP)
    one_off_amount: Decimal | None = Field(default=None, description=AMOUNT_HELP)
    currency: str | None = Field(default=None, max_length=3, description="Default: the account's currency")
    close_date: datetime.date | None = None
    owner: str | None = Field(default=None, description="Email or 'me'; default you, or the account's AM when you "
                                                        "may not price deals")
    competitors: list[str] = Field(default_factory=list, max_length=20)
    loss_reason: str = Field(default="", max_length=500)
    subscription: str | None = Field(default=None, description="Public id of the subscription it changes")
    target_plan: str | None = Field(default=None, description="Product code of the plan")
    seats_delta: int | None = None
    add_ons: list[str] = Field(default_factory=list, max_length=50, description="Add-on product codes")
    renewal_term_months: int | None = Field(default=None, ge=1, le=120)


class OpportunityPatch(Schema):
    version: int | None = Field(default=None, description="The version you read; required (409 when stale)")
    type: OpportunityType | None = None
    name: str | None = Field(default=None, max_length=200)
    stage: str | None = Field(default=None, description="Public id or code of a stage of the type's pipeline")
    mrr_delta: Decimal | None = Field(default=None, description=AMOUNT_HELP)
    one_off_amount: Decimal | None = Field(default=None, description=AMOUNT_HELP)
    currency: str | None = Field(default=None, max_length=3)
    close_date: datetime.date | None = None
    owner: str | None = None
    competitors: list[str] | None = Field(default=None, max_length=20)
    loss_reason: str | None = Field(default=None, max_length=500)
    subscription: str | None = None
    target_plan: str | None = None
    seats_delta: int | None = None
    add_ons: list[str] | None = Field(default=None, max_length=50)
    renewal_term_months: int | None = Field(default=None, ge=1, le=120)


class OpportunityPage(Schema):
    items: list[OpportunityOut]
    next_cursor: str | None


class ForecastRowOut(Schema):
    month: datetime.date
    owner: PersonRef | None
    currency: str
    count: int
    open_mrr: Decimal
    open_one_off: Decimal
    weighted_mrr: Decimal
    weighted_one_off: Decimal
    won_mrr: Decimal
    won_one_off: Decimal


class ForecastOut(Schema):
    start: datetime.date
    months: int
    rows: list[ForecastRowOut]


LeadQualifyOut.model_rebuild()
