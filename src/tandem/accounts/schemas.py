from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from tandem.accounts.choices import EmployeeBand, LifecycleStage, StatusFlag, Tier


class UserRef(Schema):
    id: str
    email: str
    full_name: str


class AccountRef(Schema):
    id: str
    name: str


class AccountOut(Schema):
    id: str
    custom: dict[str, Any] = Field(default_factory=dict, description="Custom field values the caller may read")
    name: str
    domain: str
    other_domains: list[str]
    industry: str
    country: str
    employee_band: str
    currency: str
    tier: Tier
    lifecycle_stage: LifecycleStage
    parent: AccountRef | None
    external_id: str
    status_flags: list[str]
    owner: UserRef | None
    team: str | None
    created_at: datetime
    updated_at: datetime


class AccountIn(Schema):
    custom: dict[str, Any] = Field(default_factory=dict, description="Custom field key -> value")
    name: str = Field(min_length=1, max_length=200)
    domain: str = Field(default="", max_length=253)
    other_domains: list[str] = Field(default_factory=list, max_length=50)
    industry: str = Field(default="", max_length=100)
    country: str = Field(default="", max_length=2, description="ISO 3166-1 alpha-2, e.g. DE")
    employee_band: EmployeeBand | None = None
    currency: str = Field(default="USD", min_length=3, max_length=3, description="ISO 4217, e.g. EUR")
    tier: Tier = Tier.TECH_TOUCH
    lifecycle_stage: LifecycleStage = LifecycleStage.ONBOARDING
    parent: str | None = Field(default=None, description="Public id of the parent account")
    external_id: str = Field(default="", max_length=100)
    status_flags: list[StatusFlag] = Field(default_factory=list)
    owner: str | None = Field(default=None, description="Email of the owning user")


class AccountPatch(Schema):
    custom: dict[str, Any] | None = Field(default=None, description="Custom values to change; others stay")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    domain: str | None = Field(default=None, max_length=253)
    other_domains: list[str] | None = Field(default=None, max_length=50)
    industry: str | None = Field(default=None, max_length=100)
    country: str | None = Field(default=None, max_length=2)
    employee_band: EmployeeBand | None = None
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    tier: Tier | None = None
    lifecycle_stage: LifecycleStage | None = None
    parent: str | None = Field(default=None, description="Public id of the parent account; null to clear")
    external_id: str | None = Field(default=None, max_length=100)
    status_flags: list[StatusFlag] | None = None
    owner: str | None = Field(default=None, description="Email of the owning user; null to clear")


class AccountPage(Schema):
    items: list[AccountOut]
    next_cursor: str | None


class TeamSeatOut(Schema):
    role: str
    role_name: str
    user: UserRef


class TeamSeatIn(Schema):
    user: str | None = Field(description="Email of the user to hold the role; null to clear the seat")
    reason: str = Field(default="", max_length=200)


class ReassignIn(Schema):
    from_user: str = Field(description="Email of the user whose accounts move")
    role: str = Field(description="Team role code, e.g. csm")
    to_users: list[str] = Field(min_length=1, max_length=50, description="Emails of the receiving colleagues")
    reason: str = Field(default="", max_length=200)


class ReassignOut(Schema):
    moved: int
    per_user: dict[str, int]


class MergeIn(Schema):
    duplicate: str = Field(description="Public id of the duplicate account to fold into this one")
    take_from_duplicate: list[str] = Field(default_factory=list,
                                           description="Fields whose value comes from the duplicate, e.g. ['domain']")


class MergeOut(Schema):
    account: AccountOut
    removed_id: str
    moved: dict[str, int]


class RollupCount(Schema):
    code: str
    label: str
    count: int


class RollupMetricOut(Schema):
    key: str
    label: str
    value: Any


class RollupOut(Schema):
    accounts: int = Field(description="The account and every visible account below it")
    descendants: int
    stages: list[RollupCount]
    tiers: list[RollupCount]
    metrics: list[RollupMetricOut] = Field(description="Figures other capabilities sum over the hierarchy")
