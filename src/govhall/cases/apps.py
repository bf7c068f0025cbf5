from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "govhall.cases"
    verbose_name = "Business handling (applications and cases)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import payments, permissions, tasks  # noqa: F401  (payment adapter, permissions, periodic jobs)
