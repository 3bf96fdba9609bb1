from django.apps import AppConfig


class RenewalsConfig(AppConfig):
    name = "tandem.renewals"
    label = "renewals"

    def ready(self) -> None:
        from tandem.renewals import setup

        setup.register()
