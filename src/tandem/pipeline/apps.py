from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "tandem.pipeline"
    label = "pipeline"

    def ready(self) -> None:
        from tandem.pipeline import setup

        setup.register()
