"""Console pages of notifications, mounted at /console/notifications/."""

from django.urls import path

from govhall.console import notifications_views as console_views

app_name = "notifications_console"
urlpatterns = [
    path("failed/", console_views.failed, name="failed"),
    path("failed/<int:pk>/retry/", console_views.retry, name="retry"),
]
