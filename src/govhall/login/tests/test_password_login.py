"""Password step: good and wrong passwords, demo accounts, audit, Argon2 in production."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import override_settings

from govhall.core.models import AuditEvent
from govhall.identity.models import User

from .conftest import log_in


def test_a_citizen_without_a_second_factor_logs_in_with_the_password(client, applicant):
    client.get("/account/login/")
    before = client.session.session_key
    response = log_in(client, "citizen")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(applicant.pk)
    assert client.session.session_key != before  # rotated at login
    event = AuditEvent.objects.get(action="login.succeeded")
    assert event.actor == applicant and event.after["factors"] == ["password"]


def test_the_next_page_is_honoured_but_not_an_outside_one(client, applicant):
    assert log_in(client, "citizen", next="/search/")["Location"] == "/search/"
    client.logout()
    assert log_in(client, "citizen", next="https://evil.example/")["Location"] == "/"


def test_a_wrong_password_changes_nothing_on_the_account_and_is_audited(client, applicant):
    before = User.objects.values().get(pk=applicant.pk)
    response = log_in(client, "citizen", password="Wrong-Horse-9")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert User.objects.values().get(pk=applicant.pk) == before
    event = AuditEvent.objects.get(action="login.failed")
    assert event.target_id == "citizen" and event.after["factor"] == "password"
    assert "Wrong-Horse-9" not in str(event.after)


def test_an_unknown_account_gets_the_same_answer_as_a_wrong_password(client, applicant):
    unknown = log_in(client, "nobody", password="Wrong-Horse-9").content.decode()
    wrong = log_in(client, "citizen", password="Wrong-Horse-9").content.decode()
    assert "用户名或密码错误" in unknown and "用户名或密码错误" in wrong


@pytest.mark.parametrize(("demo_mode", "logged_in"), [(True, True), (False, False)])
def test_demo_accounts_log_in_only_in_demo_mode(client, db, settings, demo_mode, logged_in):
    settings.GOVHALL_DEMO = demo_mode
    User.objects.create_user("demo_citizen", password="Correct-Horse-9", is_demo=True)
    log_in(client, "demo_citizen")
    assert (SESSION_KEY in client.session) is logged_in


def test_the_english_message_when_english_is_chosen(client, applicant):
    client.cookies["django_language"] = "en"
    assert "Wrong user name or password." in log_in(client, "citizen", password="x1").content.decode()


PRODUCTION_HASHERS = ["govhall.login.hashers.GovHallArgon2PasswordHasher",
                      "django.contrib.auth.hashers.Argon2PasswordHasher",
                      "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_passwords_are_stored_as_argon2id_under_the_production_hashers(client, db):
    user = User.objects.create_user("argon", password="Correct-Horse-9")
    assert user.password.startswith("argon2$argon2id$v=19$m=47104,t=1,p=1$")
    log_in(client, "argon")
    assert SESSION_KEY in client.session


def test_a_hash_with_older_parameters_is_upgraded_at_the_next_login(client, db):
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"]):
        user = User.objects.create_user("old-hash", password="Correct-Horse-9")
    assert "m=102400" in user.password
    with override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS):
        log_in(client, "old-hash")
        user.refresh_from_db()
    assert "m=47104,t=1,p=1" in user.password
