from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Platform operations: backup and restore (``govhall backup`` / ``govhall restore``)."""

    name = "govhall.ops"
    label = "ops"
    verbose_name = "Operations"
