"""Log out everywhere, password change, the security page."""

from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from govhall.core.models import AuditEvent

from .conftest import log_in


def test_log_out_everywhere_ends_the_sessions_of_other_clients(client, applicant, fully_logged_in):
    other = Client()
    log_in(other, "citizen")
    assert other.get(reverse("login:security")).status_code == 200
    forced = fully_logged_in(Client(), applicant)
    log_in(client, "citizen")
    assert client.post(reverse("login:logout_everywhere"))["Location"] == reverse("login:login")
    assert SESSION_KEY not in client.session
    for c in (other, forced):
        response = c.get(reverse("login:security"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login:login"))
    assert AuditEvent.objects.filter(action="login.logout_everywhere", actor=applicant).count() == 1
    log_in(other, "citizen")  # a new login works again
    assert other.get(reverse("login:security")).status_code == 200


def test_the_security_page_shows_the_factor_status(client, catalog_admin, fully_logged_in):
    html = fully_logged_in(client, catalog_admin).get(reverse("login:security")).content.decode()
    assert "未设置" in html and "在所有设备上退出登录" in html


def test_changing_the_password_keeps_this_session_and_is_audited(client, applicant):
    log_in(client, "citizen")
    other = Client()
    log_in(other, "citizen")
    response = client.post(reverse("login:password_change"), {
        "old_password": "Correct-Horse-9", "new_password1": "Another-Pass-42", "new_password2": "Another-Pass-42"})
    assert response["Location"] == reverse("login:security")
    assert client.get(reverse("login:security")).status_code == 200
    assert other.get(reverse("login:security")).status_code == 302
    assert AuditEvent.objects.filter(action="login.password.changed").exists()


def test_logout_ends_the_session(client, applicant):
    log_in(client, "citizen")
    client.post(reverse("login:logout"))
    assert SESSION_KEY not in client.session
