from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "govhall.notifications"
    verbose_name = "Notifications (inbox, e-mail, SMS)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import permissions, tasks  # noqa: F401  (register the permission and the periodic job)
