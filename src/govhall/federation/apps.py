from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "govhall.federation"
    verbose_name = "Federation between platform nodes"

    def ready(self) -> None:
        from . import operations, permissions  # noqa: F401 - register handlers and permission codes
