from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "govhall.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from . import checks, tasks  # noqa: F401  (registers deployment checks and periodic jobs)

        autodiscover_modules("subscribers")  # each context's domain-event subscribers (core/events.py)
