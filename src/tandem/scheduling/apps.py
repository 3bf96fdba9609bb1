from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "tandem.scheduling"
    label = "scheduling"

    def ready(self) -> None:
        # Each sub-domain registers its access resource, sections, home cards and notification kinds.
        from tandem.scheduling.tasks import setup as tasks_setup

        tasks_setup.register()
        # meetings: register below
