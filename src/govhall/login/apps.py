from django.apps import AppConfig


class LoginConfig(AppConfig):
    """Authentication of the identity context (passwords, second factors, lockout, sessions).
    A separate Django app so that its migrations evolve independently of the account records."""

    name = "govhall.login"
    label = "login"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import sms  # noqa: F401  (declares the SMS gateway adapter)

        user_logged_in.connect(_stamp_generation, dispatch_uid="govhall.login.generation")


def _stamp_generation(sender, request, user, **kwargs):
    """Every new login session carries the user's current session generation (see middleware.py)."""
    from .services import GENERATION, current_generation

    if request is not None and hasattr(request, "session"):
        request.session[GENERATION] = current_generation(user.pk)
