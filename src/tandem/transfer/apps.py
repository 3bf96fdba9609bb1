from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "tandem.transfer"
    label = "transfer"

    def ready(self) -> None:
        from tandem.transfer import importers

        importers.register_builtin()
