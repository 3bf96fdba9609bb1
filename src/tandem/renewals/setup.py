"""Start-up registrations of the renewals app: the access resource, notification kinds and the home card
(called from RenewalsConfig.ready)."""

from __future__ import annotations


def register() -> None:
    from django.utils.translation import gettext_lazy as _

    from tandem.core.home import HomeCard, register_home_card
    from tandem.notifications.choices import Channel
    from tandem.notifications.kinds import register_kind
    from tandem.renewals import access, handlers, sections

    access.register()
    handlers.register()
    from tandem.accounts.merge import move_by_account, register_merge_step
    from tandem.renewals.models import RenewalRecord

    register_merge_step("renewal_records", move_by_account(RenewalRecord))
    register_kind("renewal_assigned", _("Renewals given to me (90 days before the end)"),
                  (Channel.IN_APP, Channel.EMAIL))
    register_kind("renewal_negotiation", _("Renewal negotiations opening (30 days before the end)"),
                  (Channel.IN_APP,))
    register_home_card(HomeCard(key="renewals", order=7, template="renewals/home_card.html",
                                context=sections.renewals_card))
