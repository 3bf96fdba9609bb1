from django.db import models
from django.utils.translation import gettext_lazy as _


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    MONEY = "money", _("Money")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")
    BOOLEAN = "boolean", _("Yes / no")
    USER = "user", _("User")


# Resources that carry custom fields (their model has a JSONField named ``custom``).
CUSTOMIZABLE_RESOURCES = {"account": _("Accounts"), "contact": _("Contacts")}
