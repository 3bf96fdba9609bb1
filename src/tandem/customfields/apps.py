from django.apps import AppConfig


class CustomfieldsConfig(AppConfig):
    name = "tandem.customfields"
    label = "customfields"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from tandem.access.registry import Resource, register_resource

        register_resource(Resource(name="custom_field", label=_("custom fields"),
                                   actions=("view", "create", "change", "delete")))
