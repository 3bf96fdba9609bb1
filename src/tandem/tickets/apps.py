from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tandem.tickets"
    label = "tickets"

    def ready(self) -> None:
        from tandem.tickets import access, sections

        access.register()
        sections.register()
