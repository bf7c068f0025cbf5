"""SMS codes through the simulator: opt-in, sending, expiry, attempts; the demo-only inbox."""

import datetime as dt

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from govhall.core.models import AuditEvent
from govhall.login import factors, sms
from govhall.login.models import LoginProfile, SmsCode, SmsMessage

from .conftest import log_in

PHONE = "13955600001"  # the applicant_person fixture's phone, stored encrypted on the Person


@pytest.fixture
def citizen_with_phone(applicant, applicant_person):
    assert sms.phone_of(applicant) == PHONE
    LoginProfile.objects.create(user=applicant, sms_factor=True)
    return applicant


def _last_code() -> str:
    return SmsMessage.objects.first().text.split("验证码为 ")[1][:6]


def _sms_login(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = log_in(client, "citizen")
    assert response["Location"] == reverse("login:sms")
    return _last_code()


def test_a_citizen_with_sms_enabled_logs_in_with_the_code(client, citizen_with_phone, clock,
                                                          django_capture_on_commit_callbacks):
    code = _sms_login(client, django_capture_on_commit_callbacks)
    assert SmsMessage.objects.get().phone == PHONE
    assert code not in SmsCode.objects.get().code_hash
    sent = AuditEvent.objects.get(action="login.sms.sent")
    assert sent.after["phone"] == "139****0001" and code not in str(sent.after)
    assert SESSION_KEY not in client.session
    assert client.post(reverse("login:sms"), {"code": code})["Location"] == "/"
    assert client.session[SESSION_KEY] == str(citizen_with_phone.pk)
    assert AuditEvent.objects.filter(action="login.succeeded").last().after["factors"] == ["password", "sms"]


def test_an_sms_code_expires_after_five_minutes(citizen_with_phone, clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        factors.sms_code_send(user=citizen_with_phone)
    code = _last_code()
    clock.shift(dt.timedelta(minutes=5))
    assert not factors.sms_code_check(user=citizen_with_phone, code=code)
    clock.shift(dt.timedelta(seconds=-1))
    assert factors.sms_code_check(user=citizen_with_phone, code=code)
    assert not factors.sms_code_check(user=citizen_with_phone, code=code)  # used once only


def test_an_sms_code_allows_five_attempts(client, citizen_with_phone, clock, django_capture_on_commit_callbacks,
                                          settings):
    settings.GOVHALL_LOGIN_ACCOUNT_FAILURES = 50
    code = _sms_login(client, django_capture_on_commit_callbacks)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post(reverse("login:sms"), {"code": wrong})
    client.post(reverse("login:sms"), {"code": code})
    assert SESSION_KEY not in client.session


def test_a_new_code_is_not_sent_within_a_minute(citizen_with_phone, clock, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        factors.sms_code_send(user=citizen_with_phone)
    with pytest.raises(factors.FactorError):
        factors.sms_code_send(user=citizen_with_phone)
    clock.shift(dt.timedelta(seconds=61))
    with django_capture_on_commit_callbacks(execute=True):
        factors.sms_code_send(user=citizen_with_phone)
    assert SmsMessage.objects.count() == 2
    assert SmsCode.objects.filter(used_at__isnull=True).count() == 1  # the older one stopped working


def test_staff_cannot_turn_on_sms(catalog_admin, monkeypatch):
    monkeypatch.setattr(sms, "phone_of", lambda user: PHONE)
    with pytest.raises(factors.FactorError):
        factors.sms_factor_set(actor=catalog_admin, user=catalog_admin, enabled=True)


def test_the_simulator_inbox_lists_messages_in_demo_mode_only(client, db, settings):
    SmsMessage.objects.create(phone=PHONE, text="【测试】您的验证码为 123456")
    settings.GOVHALL_DEMO = True
    assert "123456" in client.get(reverse("login:dev_sms")).content.decode()
    settings.GOVHALL_DEMO = False
    assert client.get(reverse("login:dev_sms")).status_code == 404


def test_the_gateway_is_chosen_by_setting(settings):
    settings.GOVHALL_SMS_GATEWAY = "govhall.login.sms.SimulatorGateway"
    assert isinstance(sms.gateway(), sms.SimulatorGateway)
    settings.GOVHALL_SMS_GATEWAY = "builtins.object"
    with pytest.raises(TypeError):
        sms.gateway()
