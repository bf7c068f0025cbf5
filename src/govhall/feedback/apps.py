from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "govhall.feedback"
    verbose_name = "Feedback (好差评 ratings, 我要问 consultations, complaints)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import permissions, tasks  # noqa: F401  (permissions, periodic jobs)
