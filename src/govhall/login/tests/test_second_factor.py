"""Staff must set up and then use TOTP; wrong and replayed codes are refused; citizens may opt in."""

import datetime as dt

from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from govhall.core.models import AuditEvent
from govhall.login.models import TotpDevice

from .conftest import current_code, log_in


def _enrol(client, user):
    assert log_in(client, user.username)["Location"] == reverse("login:totp_enrol")
    page = client.get(reverse("login:totp_enrol"))
    assert page.context["mandatory"] and page.context["uri"].startswith("otpauth://totp/")
    assert page.context["secret"] in page.content.decode()
    return client.post(reverse("login:totp_enrol"), {"code": current_code(user)})


def test_a_staff_member_without_an_authenticator_must_set_one_up_before_any_page(client, catalog_admin, clock):
    assert log_in(client, "catalog_admin")["Location"] == reverse("login:totp_enrol")
    assert SESSION_KEY not in client.session
    console = client.get(reverse("console:home"))
    assert console.status_code == 302 and console["Location"].startswith(reverse("login:login"))
    response = _enrol(client, catalog_admin)
    assert response["Location"] == reverse("console:home")
    assert client.session[SESSION_KEY] == str(catalog_admin.pk)
    assert client.get(reverse("console:home")).status_code == 200
    assert AuditEvent.objects.filter(action="login.factor.enrolled", actor=catalog_admin).exists()
    device = TotpDevice.objects.get(user=catalog_admin)
    assert device.secret_ciphertext and b"=" not in bytes(device.secret_ciphertext)[:0]  # sealed bytes


def test_a_staff_member_with_an_authenticator_must_give_a_code(client, catalog_admin, clock):
    _enrol(client, catalog_admin)
    client.post(reverse("login:logout"))
    clock.shift(dt.timedelta(seconds=30))
    assert log_in(client, "catalog_admin")["Location"] == reverse("login:totp")
    assert SESSION_KEY not in client.session
    response = client.post(reverse("login:totp"), {"code": current_code(catalog_admin)})
    assert response["Location"] == reverse("console:home")
    event = AuditEvent.objects.filter(action="login.succeeded").last()
    assert event.after["factors"] == ["password", "totp"]


def test_wrong_and_replayed_codes_are_refused(client, catalog_admin, clock):
    _enrol(client, catalog_admin)
    used = current_code(catalog_admin)
    client.post(reverse("login:logout"))
    log_in(client, "catalog_admin")
    wrong = "000000" if used != "000000" else "111111"
    response = client.post(reverse("login:totp"), {"code": wrong})
    assert response.status_code == 200 and "验证码错误、已过期或已使用" in response.content.decode()
    replay = client.post(reverse("login:totp"), {"code": used})  # same time step as the enrolment
    assert replay.status_code == 200 and SESSION_KEY not in client.session
    assert AuditEvent.objects.filter(action="login.failed", after__factor="totp").count() == 2
    clock.shift(dt.timedelta(seconds=30))
    assert client.post(reverse("login:totp"), {"code": current_code(catalog_admin)}).status_code == 302
    assert SESSION_KEY in client.session


def test_staff_cannot_use_sms_or_remove_their_authenticator(client, catalog_admin, clock):
    _enrol(client, catalog_admin)
    client.post(reverse("login:totp_remove"))
    assert TotpDevice.objects.filter(user=catalog_admin).exists()


def test_the_second_step_expires(client, catalog_admin, clock):
    log_in(client, "catalog_admin")
    clock.shift(dt.timedelta(minutes=6))
    assert client.get(reverse("login:totp_enrol"))["Location"] == reverse("login:login")


def test_a_citizen_may_opt_in_to_totp_and_then_needs_it(client, applicant, clock):
    log_in(client, "citizen")
    client.get(reverse("login:totp_enrol"))
    assert client.post(reverse("login:totp_enrol"), {"code": current_code(applicant)})["Location"] == \
        reverse("login:security")
    client.post(reverse("login:logout"))
    assert log_in(client, "citizen")["Location"] == reverse("login:totp")
    clock.shift(dt.timedelta(seconds=30))
    client.post(reverse("login:totp"), {"code": current_code(applicant)})
    assert SESSION_KEY in client.session
    client.post(reverse("login:totp_remove"))
    assert not TotpDevice.objects.filter(user=applicant).exists()
    assert AuditEvent.objects.filter(action="login.factor.removed").exists()
