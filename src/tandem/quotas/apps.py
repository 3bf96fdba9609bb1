from django.apps import AppConfig


class QuotasConfig(AppConfig):
    name = "tandem.quotas"
    label = "quotas"
