"""The inbox, mounted at /account/inbox/."""

from django.urls import path

from govhall.portal import notifications_views as views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.message, name="message"),
]
