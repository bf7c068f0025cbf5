from django.contrib.auth import views as auth_views
from django.urls import path

from govhall.core.permissions import AUTHENTICATED, PUBLIC, declare

app_name = "login"
urlpatterns = [
    path("login/", declare(PUBLIC, auth_views.LoginView.as_view(template_name="identity/login.html")),
         name="login"),
    path("logout/", declare(AUTHENTICATED, auth_views.LogoutView.as_view(next_page="/")), name="logout"),
]
