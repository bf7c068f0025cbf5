"""Lockout per account name and per client address; unlocks after the period; audited."""

import datetime as dt

from django.contrib.auth import SESSION_KEY

from govhall.core.models import AuditEvent
from govhall.identity.models import User
from govhall.login.models import LoginFailure

from .conftest import log_in


def test_five_failures_lock_the_account_for_fifteen_minutes(client, applicant, clock):
    for _ in range(5):
        log_in(client, "citizen", password="Wrong-Horse-9")
    response = log_in(client, "citizen")  # even the right password is refused while locked
    assert "登录已暂停 15 分钟" in response.content.decode()
    assert SESSION_KEY not in client.session
    lock = AuditEvent.objects.get(action="login.locked")
    assert lock.target_id == "citizen" and lock.after["scope"] == "account"
    clock.shift(dt.timedelta(minutes=14))
    log_in(client, "citizen")
    assert SESSION_KEY not in client.session
    clock.shift(dt.timedelta(minutes=2))
    log_in(client, "citizen")
    assert client.session[SESSION_KEY] == str(applicant.pk)
    assert not LoginFailure.objects.filter(username="citizen").exists()


def test_unknown_names_lock_the_same_way_so_the_lock_reveals_nothing(client, db, clock):
    for _ in range(5):
        log_in(client, "nobody", password="Wrong-Horse-9")
    assert AuditEvent.objects.filter(action="login.locked", target_id="nobody").exists()


def test_twenty_failures_from_one_address_lock_the_address(client, db, clock):
    User.objects.create_user("other", password="Correct-Horse-9")
    for i in range(20):
        log_in(client, f"guess{i}", password="Wrong-Horse-9")
    log_in(client, "other")
    assert SESSION_KEY not in client.session
    assert AuditEvent.objects.filter(action="login.locked", after__scope="address").count() == 1
    # another address is not affected
    response = client.post("/account/login/", {"username": "other", "password": "Correct-Horse-9"},
                           REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 302


def test_the_address_unlocks_after_the_period(client, applicant, clock):
    for i in range(20):
        log_in(client, f"guess{i}", password="Wrong-Horse-9")
    clock.shift(dt.timedelta(minutes=16))
    log_in(client, "citizen")
    assert SESSION_KEY in client.session


def test_the_lockout_message_is_english_on_request(client, applicant, clock):
    client.cookies["django_language"] = "en"
    for _ in range(6):
        response = log_in(client, "citizen", password="Wrong-Horse-9")
    assert "Too many failed attempts. Log-in is blocked for 15 minutes" in response.content.decode()
