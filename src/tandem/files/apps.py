from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "tandem.files"
    label = "files"

    def ready(self) -> None:
        from tandem.files import access, sections

        access.register()
        sections.register()
