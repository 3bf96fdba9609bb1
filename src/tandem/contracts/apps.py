from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "tandem.contracts"
    label = "contracts"
