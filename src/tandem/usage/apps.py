from django.apps import AppConfig


class UsageConfig(AppConfig):
    name = "tandem.usage"
    label = "usage"

    def ready(self) -> None:
        from tandem.usage import access, sections

        access.register()
        sections.register()
