from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "govhall.sharing"
    verbose_name = "Data sharing"

    def ready(self) -> None:
        from . import federation_handlers, permissions  # noqa: F401  (registers its federation operation and permission codes)
