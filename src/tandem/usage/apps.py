from django.apps import AppConfig


class UsageConfig(AppConfig):
    name = "tandem.usage"
    label = "usage"
