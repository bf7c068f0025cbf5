"""Password policy: at least 10 characters, letters and digits, not the user name, not common.

Add to AUTH_PASSWORD_VALIDATORS as ``govhall.login.validators.GovHallPasswordValidator``.
Messages are English msgids translated to Simplified Chinese in this app's catalogue.
"""

from __future__ import annotations

from functools import lru_cache

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MIN_LENGTH = 10
# Frequent in Chinese leaks and missing from Django's (English-centred) list.
CHINESE_COMMON = frozenset({
    "woaini1314", "woaini520", "5201314520", "1qaz2wsx3edc", "qwertyuiop123", "a123456789",
    "abc1234567", "aa123456789", "zxcvbnm123", "qq1234567890", "iloveyou520", "password123",
    "1q2w3e4r5t", "asd123456789", "wang123456", "zhang123456", "li1234567890", "admin12345",
})


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    return frozenset(CommonPasswordValidator().passwords) | CHINESE_COMMON


class GovHallPasswordValidator:
    def __init__(self, min_length: int = MIN_LENGTH):
        self.min_length = min_length

    def validate(self, password: str, user=None) -> None:
        errors = []
        if len(password) < self.min_length:
            errors.append(ValidationError(
                _("The password must be at least %(min)d characters long.") % {"min": self.min_length},
                code="password_too_short"))
        if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
            errors.append(ValidationError(_("The password must contain both letters and digits."),
                                          code="password_letters_digits"))
        username = (getattr(user, "username", "") or "").lower() if user is not None else ""
        if username and len(username) >= 3 and username in password.lower():
            errors.append(ValidationError(_("The password must not contain the user name."),
                                          code="password_is_username"))
        if password.lower().strip() in _common():
            errors.append(ValidationError(_("This password is too common and easy to guess."), code="password_too_common"))
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _("At least %(min)d characters with letters and digits; not your user name; not a common "
                 "password.") % {"min": self.min_length}
