from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "govhall.sharing"
    verbose_name = "Data sharing"

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers the permission codes)
