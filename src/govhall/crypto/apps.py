from django.apps import AppConfig


class CryptoConfig(AppConfig):
    name = "govhall.crypto"
    label = "crypto"
    verbose_name = "Cryptography"

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (register permissions)
