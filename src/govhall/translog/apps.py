from django.apps import AppConfig


class TranslogConfig(AppConfig):
    name = "govhall.translog"
    verbose_name = "Transparency log (RFC 9162 Merkle tree)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from govhall.core import audit

        from . import anchors, tasks  # noqa: F401  (tasks: registers the periodic jobs)

        audit.register_anchor_store(anchors.STORE)  # core.audit.verify compares the chain with our anchors
