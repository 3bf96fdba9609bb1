from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tandem.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from tandem.core import lookups

        lookups.register()
        # Register every periodic job declared in core/schedule.py with Huey.
        from tandem.core import schedule

        schedule.register_periodic_jobs()
