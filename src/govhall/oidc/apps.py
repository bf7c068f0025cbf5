from django.apps import AppConfig

from govhall.core import csp


class OidcConfig(AppConfig):
    """Unified login for other platforms: the OpenID Connect provider of the identity context."""

    name = "govhall.oidc"
    label = "oidc"

    def ready(self) -> None:
        from .selectors import sign_in_callback

        csp.register_continuation(sign_in_callback)  # a login may end in a client's callback
