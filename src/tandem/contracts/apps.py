from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "tandem.contracts"
    label = "contracts"

    def ready(self) -> None:
        from tandem.contracts import access, importers, sections

        access.register()
        sections.register()
        importers.register()
