"""The timeline on the Account 360 page and on the contact page."""

from __future__ import annotations

from tandem.accounts.sections import AccountSection, register_section
from tandem.contacts.sections import ContactSection, register_contact_section
from tandem.timeline import views


def register() -> None:
    from tandem.accounts.merge import move_by_account, register_merge_step
    from tandem.timeline.models import Activity

    register_merge_step("timeline", move_by_account(Activity))
    from tandem.contacts.merge import move_contact_links
    from tandem.contacts.merge import register_merge_step as register_contact_merge_step

    register_contact_merge_step("timeline", move_contact_links(Activity, "contacts"))
    register_section(AccountSection(key="timeline", order=5, template="timeline/account_section.html",
                                    context=views.account_section_context))
    register_contact_section(ContactSection(key="timeline", order=10, template="timeline/contact_section.html",
                                            context=views.contact_section_context))
