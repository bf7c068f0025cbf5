from django.apps import AppConfig


class TranslogConfig(AppConfig):
    name = "govhall.translog"
    verbose_name = "Transparency log (RFC 9162 Merkle tree)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import tasks  # noqa: F401  (registers the periodic signed tree head)
