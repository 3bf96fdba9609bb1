from django.apps import AppConfig


class CustomfieldsConfig(AppConfig):
    name = "tandem.customfields"
    label = "customfields"

    def ready(self) -> None:
        from tandem.customfields import access

        access.register()
