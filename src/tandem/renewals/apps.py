from django.apps import AppConfig


class RenewalsConfig(AppConfig):
    name = "tandem.renewals"
    label = "renewals"
