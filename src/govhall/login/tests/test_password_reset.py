"""忘记密码: a code by SMS to the registered phone, the same answer for every name, throttled like log-in,
every session ended, audited; and the warning before the lock."""

import pytest
from django.contrib.auth import SESSION_KEY

from govhall.core.models import AuditEvent
from govhall.login.models import LoginProfile, SmsMessage

from .conftest import log_in

NEW = "Brand-New-Horse-42"


def _code() -> str:
    return SmsMessage.objects.first().text.split("验证码为 ")[1][:6]


def _start(client, name, capture):
    with capture(execute=True):
        return client.post("/account/password-reset/", {"username": name})


def test_a_citizen_resets_the_password_with_a_code_sent_to_the_registered_phone(
        client, applicant, applicant_person, clock, django_capture_on_commit_callbacks):
    other = client.__class__()
    log_in(other, "citizen")
    assert other.session[SESSION_KEY]
    response = _start(client, "citizen", django_capture_on_commit_callbacks)
    assert response["Location"] == "/account/password-reset/confirm/"
    assert SmsMessage.objects.get().phone == "13955600001"
    response = client.post("/account/password-reset/confirm/", {
        "code": _code(), "new_password1": NEW, "new_password2": NEW})
    assert response["Location"] == "/account/login/"
    applicant.refresh_from_db()
    assert applicant.check_password(NEW)
    assert AuditEvent.objects.filter(action="login.password.reset", target_id=str(applicant.pk)).exists()
    assert LoginProfile.objects.get(user=applicant).session_generation >= 1
    assert other.get("/account/").status_code == 302  # the other session has ended
    assert log_in(client, "citizen", password=NEW)["Location"] == "/"


def test_the_answer_is_the_same_for_an_unknown_name_and_no_sms_leaves(client, db, clock,
                                                                       django_capture_on_commit_callbacks):
    response = _start(client, "nobody-here", django_capture_on_commit_callbacks)
    assert response["Location"] == "/account/password-reset/confirm/"
    assert not SmsMessage.objects.exists()
    page = client.get("/account/password-reset/confirm/").content.decode()
    assert "如果该账户登记了手机号码" in page


def test_a_wrong_code_counts_towards_the_lock(client, applicant, applicant_person, clock,
                                              django_capture_on_commit_callbacks):
    _start(client, "citizen", django_capture_on_commit_callbacks)
    for _ in range(5):
        page = client.post("/account/password-reset/confirm/", {
            "code": "000000", "new_password1": NEW, "new_password2": NEW}).content.decode()
    assert "登录已暂停" in page
    applicant.refresh_from_db()
    assert not applicant.check_password(NEW)
    assert AuditEvent.objects.filter(action="login.locked", target_id="citizen").exists()


def test_the_new_password_follows_the_password_rules(client, applicant, applicant_person, clock,
                                                     django_capture_on_commit_callbacks):
    _start(client, "citizen", django_capture_on_commit_callbacks)
    page = client.post("/account/password-reset/confirm/", {
        "code": _code(), "new_password1": "short", "new_password2": "short"}).content.decode()
    assert 'role="alert"' in page
    applicant.refresh_from_db()
    assert not applicant.check_password("short")


def test_the_confirm_page_without_a_started_reset_sends_back_to_the_start(client, db):
    assert client.get("/account/password-reset/confirm/")["Location"] == "/account/password-reset/"


@pytest.mark.parametrize("failures, warned", [(2, False), (3, "还可尝试 2 次"), (4, "还可尝试 1 次")])
def test_the_login_page_warns_before_the_lock(client, applicant, clock, failures, warned):
    for _ in range(failures):
        page = log_in(client, "citizen", password="Wrong-Horse-9").content.decode()
    if warned:
        assert warned in page and "15 分钟" in page
    else:
        assert "还可尝试" not in page


def test_the_login_page_links_to_register_and_to_password_reset(client, db):
    page = client.get("/account/login/").content.decode()
    assert 'href="/account/password-reset/"' in page and 'href="/account/register/"' in page
    assert 'type="password"' in page
