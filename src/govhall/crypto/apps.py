from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CryptoConfig(AppConfig):
    name = "govhall.crypto"
    label = "crypto"
    verbose_name = "Cryptography"

    def ready(self) -> None:
        from . import checks, permissions, tasks  # noqa: F401  (start-up check, permissions, periodic job)

        post_migrate.connect(checks.record_key_check, sender=self, dispatch_uid="govhall.crypto.key_check")
