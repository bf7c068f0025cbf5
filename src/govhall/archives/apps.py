from django.apps import AppConfig


class ArchivesConfig(AppConfig):
    name = "govhall.archives"
    verbose_name = "Electronic archives (GB/T 42727, DA/T 70)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import permissions, tasks  # noqa: F401  (register permissions and periodic jobs)
