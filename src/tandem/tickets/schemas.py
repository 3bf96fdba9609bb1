from __future__ import annotations

import datetime

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field

from tandem.tickets.choices import Category, Channel, Priority, Status


class Out(BaseModel):
    """Base of the ticket output schemas: plain pydantic models. Django Ninja's ``Schema`` wraps every nested
    object in its ORM getter during validation, which cost ~10 ms for a page of 50 tickets (the services hand
    out dicts, so nothing needs the getter); the OpenAPI schema is the same."""

    model_config = ConfigDict(from_attributes=True)


class Ref(Out):
    id: str
    name: str


class PersonRef(Out):
    id: str
    email: str
    name: str


class RequesterRef(Out):
    id: str | None = Field(description="Public id of the matched contact, if any")
    email: str
    name: str


class SlaOut(Out):
    policy: str | None
    first_response_due_at: datetime.datetime | None
    resolution_due_at: datetime.datetime | None
    first_responded_at: datetime.datetime | None
    first_response_minutes: int | None = Field(description="Business minutes to the first response")
    first_response_met: bool | None
    resolution_minutes: int | None = Field(description="Business minutes to the solution")
    resolution_met: bool | None
    paused: bool = Field(description="True while the ticket is pending the customer (the clock stands still)")


class SatisfactionOut(Out):
    rating: int
    comment: str
    rated_at: datetime.datetime | None


class TicketOut(Out):
    id: str
    reference: str = Field(description="T-10001; in mail subjects as [#T-10001]")
    subject: str
    description: str
    status: Status
    priority: Priority
    channel: Channel
    category: Category
    tier: int
    account: Ref | None
    requester: RequesterRef | None
    assignee: PersonRef | None
    group: Ref | None
    tags: list[str]
    sla: SlaOut
    satisfaction: SatisfactionOut | None
    escalated_at: datetime.datetime | None
    solved_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class TicketPage(Out):
    items: list[TicketOut]
    next_cursor: str | None


class TicketIn(Schema):
    subject: str = Field(max_length=300)
    description: str = Field(default="", max_length=50000)
    account: str | None = Field(default=None, description="Public id of the account (default: the requester's)")
    requester: str | None = Field(default=None, description="Public id of the requesting contact")
    requester_email: str | None = Field(default=None, max_length=254,
                                        description="Matched to a contact by email when no requester is given")
    requester_name: str = Field(default="", max_length=200)
    channel: Channel = Channel.API
    category: Category = Category.QUESTION
    priority: Priority = Priority.NORMAL
    tier: int | None = Field(default=None, ge=1, le=2, description="Leave empty to let the routing rules decide")
    group: str | None = Field(default=None, description="Public id of the support group")
    assignee: str | None = Field(default=None, description="Email of the assignee, or 'me'")
    tags: list[str] = Field(default_factory=list)


class TicketPatch(Schema):
    subject: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=50000)
    category: Category | None = None
    priority: Priority | None = None
    channel: Channel | None = None
    status: Status | None = None
    account: str | None = None
    tags: list[str] | None = None


class MessageOut(Schema):
    id: str
    kind: str = Field(description="reply (public) or note (internal)")
    direction: str = Field(description="inbound, outbound or internal")
    channel: str
    author: PersonRef | None
    author_email: str
    body: str
    body_html: str
    message_id: str | None
    attachments: list[Ref]
    created_at: datetime.datetime


class MessagePage(Schema):
    items: list[MessageOut]
    next_cursor: str | None


class ReplyIn(Schema):
    body: str = Field(max_length=50000)
    status: Status | None = Field(default=None, description="The status after the reply, e.g. pending_customer")


class NoteIn(Schema):
    body: str = Field(max_length=50000, description="Markdown; mention people as @[Name](user-public-id)")


class EscalateIn(Schema):
    reason: str = Field(max_length=2000)
    group: str | None = Field(default=None, description="Public id of a tier-2 group (default: the first one)")
    assignee: str | None = Field(default=None, description="Email of a tier-2 agent (default: nobody)")


class AssignIn(Schema):
    assignee: str | None = Field(description="Email, 'me', or null to unassign")
    group: str | None = Field(default=None, description="Public id of a support group (unchanged when absent)")


class SatisfactionIn(Schema):
    rating: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=2000)


class BulkIn(Schema):
    tickets: list[str] = Field(min_length=1, max_length=500)
    assignee: str | None = Field(default=None, description="Email, 'me', or 'none' to unassign")
    status: Status | None = None
    priority: Priority | None = None


class BulkOut(Schema):
    items: list[TicketOut]


class LoadOut(Schema):
    account: str
    period_start: datetime.date
    count: int
    weighted: int = Field(description="Severity-weighted: low 1, normal 2, high 3, urgent 5")


class LoadPage(Schema):
    items: list[LoadOut]


class DistributionOut(Schema):
    count: int
    median: float | None
    p90: float | None


class ReportOut(Schema):
    start: datetime.datetime
    end: datetime.datetime
    total: int
    first_response_minutes: DistributionOut
    resolution_minutes: DistributionOut
    first_response_attainment: float | None
    resolution_attainment: float | None
    by_channel: dict[str, int]
    by_category: dict[str, int]
    by_tier: dict[str, int]
    backlog: int
    backlog_by_status: dict[str, int]
    backlog_by_tier: dict[str, int]


class RuleOut(Schema):
    id: str
    name: str
    position: int
    is_active: bool
    channels: list[str]
    categories: list[str]
    account_tiers: list[str]
    keywords: list[str]
    group: Ref | None
    tier: int | None
    assignee: PersonRef | None


class RulePage(Schema):
    items: list[RuleOut]
    next_cursor: str | None


class RuleIn(Schema):
    name: str = Field(max_length=100)
    position: int = Field(default=0, ge=0)
    is_active: bool = True
    channels: list[Channel] = Field(default_factory=list)
    categories: list[Category] = Field(default_factory=list)
    account_tiers: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    group: str | None = None
    tier: int | None = Field(default=None, ge=1, le=2)
    assignee: str | None = Field(default=None, description="Email of the assignee")


class RulePatch(Schema):
    name: str | None = Field(default=None, max_length=100)
    position: int | None = Field(default=None, ge=0)
    is_active: bool | None = None
    channels: list[Channel] | None = None
    categories: list[Category] | None = None
    account_tiers: list[str] | None = None
    keywords: list[str] | None = None
    group: str | None = None
    tier: int | None = Field(default=None, ge=1, le=2)
    assignee: str | None = None


class PolicyOut(Schema):
    id: str
    name: str
    priority: Priority
    account_tier: str
    first_response_minutes: int
    resolution_minutes: int


class PolicyPage(Schema):
    items: list[PolicyOut]
    next_cursor: str | None


class PolicyIn(Schema):
    name: str = Field(default="", max_length=100)
    priority: Priority
    account_tier: str = Field(default="", description="An account tier, or empty for any")
    first_response_minutes: int = Field(ge=1)
    resolution_minutes: int = Field(ge=1)


class PolicyPatch(Schema):
    name: str | None = Field(default=None, max_length=100)
    first_response_minutes: int | None = Field(default=None, ge=1)
    resolution_minutes: int | None = Field(default=None, ge=1)


class HolidayIO(Schema):
    date: datetime.date
    name: str = ""


class HoursOut(Schema):
    id: str
    name: str
    time_zone: str
    windows: list[list[int | str]] = Field(description='[[weekday (0 = Monday), "09:00", "17:00"], …]')
    holidays: list[HolidayIO]
    is_default: bool


class HoursPage(Schema):
    items: list[HoursOut]
    next_cursor: str | None


class HoursIn(Schema):
    name: str = Field(max_length=100)
    time_zone: str = "UTC"
    windows: list[list[int | str]] = Field(default_factory=list)
    holidays: list[HolidayIO] = Field(default_factory=list)
    is_default: bool = False


class HoursPatch(Schema):
    name: str | None = Field(default=None, max_length=100)
    time_zone: str | None = None
    windows: list[list[int | str]] | None = None
    holidays: list[HolidayIO] | None = None
    is_default: bool | None = None


class GroupOut(Schema):
    id: str
    name: str
    tier: int | None
    team: Ref | None
    business_hours: Ref | None
