from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "tandem.meetings"
    label = "meetings"

    def ready(self) -> None:
        from tandem.meetings import access, sections

        access.register()
        sections.register()
