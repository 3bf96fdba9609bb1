from django.apps import AppConfig


class CollaborationConfig(AppConfig):
    name = "tandem.collaboration"
    label = "collaboration"

    def ready(self) -> None:
        from tandem.collaboration import access, sections
        from tandem.timeline.extras import register_activity_extra

        access.register()
        sections.register()
        register_activity_extra("collaboration/activity_comments.html")
