"""Accounts: the customer companies every role works on."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.choices import EmployeeBand, LifecycleStage, Tier
from tandem.core.models import PublicModel
from tandem.identity.models import Role, Team

DOMAIN_PATTERN = r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"


class Account(PublicModel):
    """A customer company."""

    name = models.CharField(_("name"), max_length=200)
    domain = models.CharField(_("domain"), max_length=253, blank=True,
                              validators=[RegexValidator(DOMAIN_PATTERN, _("Enter a domain such as example.com."))])
    other_domains = models.JSONField(_("other domains"), default=list, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True,
                               validators=[RegexValidator(r"^[A-Z]{2}$", _("Use a two-letter ISO country code."))])
    employee_band = models.CharField(_("employees"), max_length=12, blank=True, choices=EmployeeBand.choices)
    currency = models.CharField(_("currency"), max_length=3, default="USD",
                                validators=[RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO currency code."))])
    tier = models.CharField(_("tier"), max_length=12, choices=Tier.choices, default=Tier.TECH_TOUCH)
    lifecycle_stage = models.CharField(_("lifecycle stage"), max_length=12, choices=LifecycleStage.choices,
                                       default=LifecycleStage.ONBOARDING)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="children", verbose_name=_("parent account"))
    external_id = models.CharField(_("external id"), max_length=100, blank=True,
                                   help_text=_("The account's id in billing or another system."))
    status_flags = models.JSONField(_("status flags"), default=list, blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="owned_accounts",
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts")

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name", "id"]),
            models.Index(fields=["tier", "lifecycle_stage"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["external_id"], condition=~Q(external_id=""),
                                    name="account_external_id_unique"),
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="account_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class AccountTeamMember(models.Model):
    """``user`` holds ``role`` on ``account`` (the account team)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="team_members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_roles")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "role"], name="account_team_one_user_per_role"),
        ]
        indexes = [models.Index(fields=["user", "account"])]

    def __str__(self) -> str:
        return f"{self.account} · {self.role.code} · {self.user}"


class AccountStageChange(models.Model):
    """One lifecycle-stage transition of an account: who moved it, when, from what to what."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=12, choices=LifecycleStage.choices, blank=True)
    to_stage = models.CharField(max_length=12, choices=LifecycleStage.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["account", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.account}: {self.from_stage or '∅'} → {self.to_stage}"


class AccountTeamChange(models.Model):
    """History of the account team: ``role`` on ``account`` passed from ``from_user`` to ``to_user``."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="team_changes")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="+")
    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["account", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.account} {self.role.code}: {self.from_user} → {self.to_user}"


class AccountMerge(models.Model):
    """Record of a merge: ``removed_*`` describes the duplicate folded into ``kept``; ``snapshot`` holds the
    duplicate's field values so nothing about it is lost."""

    kept = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="merges")
    removed_pk = models.BigIntegerField()
    removed_public_id = models.CharField(max_length=24)
    removed_name = models.CharField(max_length=200)
    snapshot = models.JSONField(default=dict)
    chosen = models.JSONField(default=dict)
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.removed_name} → {self.kept}"


class SavedView(PublicModel):
    """A named list filter + sort + columns, private to its owner or shared with a team."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    resource = models.CharField(max_length=30)  # "account" | "contact"
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(max_length=2000, help_text="The list's query string: filters, sort and columns.")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="saved_views",
                             verbose_name=_("shared with team"))

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "resource", "name"], name="saved_view_unique_name")]

    def __str__(self) -> str:
        return self.name
