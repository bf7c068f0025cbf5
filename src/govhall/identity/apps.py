from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "govhall.identity"
    label = "identity"
    verbose_name = _("Identity")

    def ready(self) -> None:
        from govhall.core import permissions

        from . import registers  # noqa: F401  (declares the register and face-check adapters)
        from .roles import permissions_of

        permissions.register_grants(permissions_of)  # core asks identity's roles without importing them
