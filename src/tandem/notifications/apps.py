from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tandem.notifications"
    label = "notifications"

    def ready(self) -> None:
        from tandem.notifications import access, kinds, subscribers

        access.register()
        kinds.register_builtin_kinds()
        subscribers.subscribe_all()
