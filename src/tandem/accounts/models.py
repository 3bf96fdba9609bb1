"""Accounts: the customer companies every role works on."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tandem.core.models import PublicModel
from tandem.identity.models import Role, Team


class Account(PublicModel):
    """A customer company."""

    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=253, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="owned_accounts",
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts")

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"])]

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
