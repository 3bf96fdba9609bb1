from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "tandem.contacts"
    label = "contacts"

    def ready(self) -> None:
        from tandem.contacts import access, sections

        access.register()
        sections.register()
