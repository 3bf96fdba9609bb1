from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "tandem.access"
    label = "access"

    def ready(self) -> None:
        from tandem.access import builtin_resources

        builtin_resources.register()
