from django.apps import AppConfig


class LoginConfig(AppConfig):
    """Authentication of the identity context (passwords, second factors, lockout, sessions).
    A separate Django app so that its migrations evolve independently of the account records."""

    name = "govhall.login"
    label = "login"
