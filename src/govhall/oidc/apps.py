from django.apps import AppConfig


class OidcConfig(AppConfig):
    """Unified login for other platforms: the OpenID Connect provider of the identity context."""

    name = "govhall.oidc"
    label = "oidc"
