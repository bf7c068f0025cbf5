from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class GovHallBackend(ModelBackend):
    """Demo accounts exist only in demo mode: outside it they cannot log in."""

    def user_can_authenticate(self, user) -> bool:
        if getattr(user, "is_demo", False) and not settings.GOVHALL_DEMO:
            return False
        return super().user_can_authenticate(user)
