"""The password policy and its messages in both languages."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from govhall.identity.models import User
from govhall.login.validators import GovHallPasswordValidator

V = [{"NAME": "govhall.login.validators.GovHallPasswordValidator"}]


def messages(password, user=None, language="zh-hans"):
    with translation.override(language):
        try:
            GovHallPasswordValidator().validate(password, user)
        except ValidationError as exc:
            return exc.messages
    return []


def test_a_good_password_passes():
    assert messages("Correct-Horse-9") == []


@pytest.mark.parametrize(("password", "zh", "en"), [
    ("Short-9", "密码长度至少为 10 个字符。", "The password must be at least 10 characters long."),
    ("OnlyLettersHere", "密码必须同时包含字母和数字。", "The password must contain both letters and digits."),
    ("1234567890123", "密码必须同时包含字母和数字。", "The password must contain both letters and digits."),
    ("woaini1314", "该密码过于常见，容易被猜中。", "This password is too common and easy to guess."),
    ("password123", "该密码过于常见，容易被猜中。", "This password is too common and easy to guess."),
])
def test_weak_passwords_are_refused_with_a_clear_message(password, zh, en):
    assert zh in messages(password)
    assert en in messages(password, language="en")


def test_the_user_name_is_not_a_password():
    user = User(username="zhangwei88")
    assert "密码不得包含用户名。" in messages("zhangwei88pass", user)
    assert "The password must not contain the user name." in messages("ZhangWei88!!", user, "en")


def test_the_validator_plugs_into_django(db):
    with pytest.raises(ValidationError):
        validate_password("abc", password_validators=_validators())
    assert validate_password("Correct-Horse-9", password_validators=_validators()) is None


def _validators():
    from django.contrib.auth.password_validation import get_password_validators

    return get_password_validators(V)
