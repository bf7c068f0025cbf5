from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "govhall.identity"
    label = "identity"
    verbose_name = _("Identity")

    def ready(self) -> None:
        from . import registers  # noqa: F401  (declares the register and face-check adapters)
