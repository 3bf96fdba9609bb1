"""Access resources of the renewals app.

* ``renewal_settings`` — no records: the notice and negotiation windows, the playbook and the multi-year discount
  rules. Everyone who works renewals reads them; administrators change them.

The renewals themselves have no resource of their own: a renewal is seen by whoever sees its subscription
(``subscription`` view), and closing one needs ``change`` on its opportunity and subscription."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tandem.access.registry import Resource, register_resource


def register() -> None:
    register_resource(Resource(name="renewal_settings", label=_("renewal settings (playbook, discounts)"),
                               actions=("view", "change")))
