from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "tandem.health"
    label = "health"

    def ready(self) -> None:
        from tandem.health import access, handlers, kinds, sections

        access.register()
        kinds.register()
        sections.register()
        handlers.register()
