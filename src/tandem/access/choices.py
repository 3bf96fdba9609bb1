from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    VIEW = "view", _("View")
    CREATE = "create", _("Create")
    CHANGE = "change", _("Change")
    DELETE = "delete", _("Delete")
    EXPORT = "export", _("Export")


class Scope(models.TextChoices):
    """How far a permission reaches. Ordered: own < team < all."""

    OWN = "own", _("Own records")
    TEAM = "team", _("Team's records")
    ALL = "all", _("All records")


SCOPE_RANK = {Scope.OWN: 1, Scope.TEAM: 2, Scope.ALL: 3}
