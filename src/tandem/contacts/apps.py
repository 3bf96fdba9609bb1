from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "tandem.contacts"
    label = "contacts"

    def ready(self) -> None:
        from tandem.contacts import access, merge, sections

        access.register()
        sections.register()
        merge.register()
