from django.apps import AppConfig


class CryptoConfig(AppConfig):
    name = "govhall.crypto"
    label = "crypto"
    verbose_name = "Cryptography"
