"""Start-up registrations of the pipeline app: access resources, the Account 360 section, home cards,
notification kinds and importers (called from PipelineConfig.ready)."""

from __future__ import annotations


def register() -> None:
    from django.utils.translation import gettext_lazy as _

    from tandem.core.events import declare
    from tandem.notifications.choices import Channel
    from tandem.notifications.kinds import register_kind
    from tandem.pipeline import access, importers, sections

    # after an opportunity's stage changed (board, API, services), inside the change's transaction
    declare("opportunity.stage_changed", ("opportunity", "from_stage"))
    access.register()
    sections.register()
    importers.register()
    register_kind("opportunity_moved", _("My opportunities moved by someone else"), (Channel.IN_APP,))
    register_kind("lead_assigned", _("Leads assigned to me"), (Channel.IN_APP,))
