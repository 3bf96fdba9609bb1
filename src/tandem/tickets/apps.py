from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tandem.tickets"
    label = "tickets"

    def ready(self) -> None:
        from tandem.tickets import access, kinds, sections

        access.register()
        kinds.register()
        sections.register()
