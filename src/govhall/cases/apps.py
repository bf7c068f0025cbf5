from django.apps import AppConfig

from govhall.sharing import hooks as sharing_hooks


class CasesConfig(AppConfig):
    name = "govhall.cases"
    verbose_name = "Business handling (applications and cases)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import payments, permissions, tasks  # noqa: F401  (payment adapter, permissions, periodic jobs)
        from .authority import ensure_acting_authority

        sharing_hooks.register_acting_authority(ensure_acting_authority)  # who may act on an application
