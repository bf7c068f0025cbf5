from django.apps import AppConfig


class LicensesConfig(AppConfig):
    name = "govhall.licenses"
    verbose_name = "Electronic licences"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import federation_handlers, permissions, tasks  # noqa: F401  (register federation operations, permissions, periodic jobs)
