"""Administrator-defined fields on accounts and contacts. Values live in each record's ``custom`` JSON."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tandem.core.models import PublicModel
from tandem.customfields.choices import FieldType


class CustomField(PublicModel):
    resource = models.CharField(_("record type"), max_length=30)
    key = models.CharField(_("key"), max_length=40, validators=[RegexValidator(
        r"^[a-z][a-z0-9_]*$", _("Lower-case letters, digits and underscores, starting with a letter."))])
    label = models.CharField(_("label"), max_length=100)
    field_type = models.CharField(_("type"), max_length=20, choices=FieldType.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    field_group = models.CharField(_("field group"), max_length=40, blank=True,
                                   help_text=_("Restrict reading and writing by role, e.g. 'pricing'."))
    help_text = models.CharField(_("help text"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["resource", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["resource", "key"], name="custom_field_unique_key")]

    def __str__(self) -> str:
        return f"{self.resource}.{self.key}"
