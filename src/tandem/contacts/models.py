"""Contacts: the people at customer accounts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import Account
from tandem.contacts.choices import BuyingRole
from tandem.core.models import PublicModel


class Contact(PublicModel):
    """A person at a customer. ``email`` is the primary address; ``other_emails`` and ``phones`` hold the rest.
    Phones are stored normalised in E.164 (+4930123456)."""

    # No index of its own on account or email: (account, last_name) and lower(email) below serve those lookups, and
    # each extra index cost imports ~5 µs a row.
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts",
                                verbose_name=_("account"), db_index=False)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    other_emails = models.JSONField(_("other emails"), default=list, blank=True)
    phones = models.JSONField(_("phones"), default=list, blank=True)
    title = models.CharField(_("title"), max_length=150, blank=True)
    buying_role = models.CharField(_("buying role"), max_length=20, choices=BuyingRole.choices, blank=True)
    language = models.CharField(_("preferred language"), max_length=10, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    email_opt_out = models.BooleanField(_("opted out of email"), default=False)
    survey_opt_out = models.BooleanField(_("opted out of surveys"), default=False)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["account", "last_name"]),
            models.Index(fields=["last_name", "first_name", "id"]),
            models.Index(Lower("email"), name="contact_email_lower"),  # upserts match emails case-insensitively
            models.Index(fields=["external_id"], name="contact_external_id"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(first_name="", last_name="", email=""),
                                   name="contact_has_name_or_email"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


class ContactAccountChange(models.Model):
    """A contact moved from one account to another (people change jobs; the history stays). The account a contact
    was created at is not a move: its creation records it (selectors.contact_account_history shows both)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="account_changes")
    from_account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.contact}: {self.from_account} → {self.to_account}"


class ContactMerge(models.Model):
    """Record of a contact merge; ``snapshot`` keeps the duplicate's values."""

    kept = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="merges")
    removed_pk = models.BigIntegerField()
    removed_public_id = models.CharField(max_length=24)
    removed_name = models.CharField(max_length=200)
    snapshot = models.JSONField(default=dict)
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.removed_name} → {self.kept}"
