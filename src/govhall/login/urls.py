from django.urls import path

from . import views

app_name = "login"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/totp/", views.totp_view, name="totp"),
    path("login/sms/", views.sms_view, name="sms"),
    path("logout/", views.logout_view, name="logout"),
    path("password-reset/", views.password_reset_view, name="password_reset"),
    path("password-reset/confirm/", views.password_reset_confirm_view, name="password_reset_confirm"),
    path("security/", views.security_view, name="security"),
    path("security/totp/", views.totp_enrol_view, name="totp_enrol"),
    path("security/totp/remove/", views.totp_remove_view, name="totp_remove"),
    path("security/sms/", views.sms_factor_view, name="sms_factor"),
    path("security/logout-everywhere/", views.logout_everywhere_view, name="logout_everywhere"),
    path("security/password/", views.password_change_view, name="password_change"),
    path("dev/sms/", views.dev_sms_inbox_view, name="dev_sms"),
]
