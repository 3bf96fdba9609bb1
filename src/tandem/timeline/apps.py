from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "tandem.timeline"
    label = "timeline"

    def ready(self) -> None:
        from tandem.core.events import declare
        from tandem.timeline import access, sections, subscribers

        access.register()
        sections.register()
        declare("activity.created", ("activity",))
        subscribers.subscribe_all()
