"""The login flow: password step, pending second factor, completion, logout everywhere.

A session is *authenticated* (``django.contrib.auth.login``) only after every factor the account
needs: password, then TOTP for staff (enrolment first if they have none) or the factor a citizen
chose. Between the steps the session holds only ``login.pending`` (user id, time, next URL), which
no permission check accepts. Anything that logs a user in must call ``complete_login``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from govhall.core import audit

from . import factors, throttle
from .models import LoginProfile

PENDING = "login.pending"
GENERATION = "login.generation"
FACTORS = "login.factors"


class LoginRefused(Exception):
    """The attempt failed; ``str(exc)`` is the translated message to show (never says why exactly)."""


def _pending_seconds() -> int:
    return int(getattr(settings, "GOVHALL_LOGIN_PENDING_SECONDS", 300))


def wrong_credentials() -> LoginRefused:
    return LoginRefused(_("Wrong user name or password."))


def locked_out() -> LoginRefused:
    minutes = int(throttle.lock_period().total_seconds() // 60)
    return LoginRefused(_("Too many failed attempts. Log-in is blocked for %(minutes)d minutes; please try "
                          "again later.") % {"minutes": minutes})


def _refuse_if_locked(username: str, address: str) -> None:
    if throttle.active_lock(username=username, address=address):
        raise locked_out()


def _fail(*, username: str, address: str, user, factor: str, message: LoginRefused) -> LoginRefused:
    if throttle.register_failure(username=username, address=address, user=user, factor=factor):
        return locked_out()
    left = throttle.attempts_left(username=username)
    if 0 < left <= 2:  # say so before the lock, not only after it
        minutes = int(throttle.lock_period().total_seconds() // 60)
        return LoginRefused(str(message) + " " + ngettext(
            "You may try %(n)d more time; then log-in is blocked for %(minutes)d minutes.",
            "You may try %(n)d more times; then log-in is blocked for %(minutes)d minutes.", left)
            % {"n": left, "minutes": minutes})
    return message


# --- step 1: password -----------------------------------------------------------------------------

def password_step(request, *, username: str, password: str, next_url: str = ""):
    """Check the password; on success start the pending state and return the user.

    Raises LoginRefused (same message for unknown accounts, wrong passwords, inactive and demo
    accounts outside demo mode) or the lockout message. Audit: login.failed / login.locked.
    Nothing about the account changes on failure.
    """
    address = throttle.client_address(request)
    _refuse_if_locked(username, address)
    user = authenticate(request, username=username, password=password)
    if user is None:
        known = get_user_model().objects.filter(username=username).first()
        raise _fail(username=username, address=address, user=known, factor="password",
                    message=wrong_credentials())
    request.session.cycle_key()  # no fixation of the pending state
    request.session[PENDING] = {"uid": user.pk, "backend": user.backend, "at": time.time(), "next": next_url}
    return user


def pending_user(request):
    """The user between password and second factor, or None (none pending, or older than 5 minutes)."""
    state = request.session.get(PENDING)
    if not state or time.time() - state["at"] > _pending_seconds():
        return None
    user = get_user_model().objects.filter(pk=state["uid"], is_active=True).first()
    if user is not None:
        user.backend = state["backend"]
    return user


def pending_next(request) -> str:
    return (request.session.get(PENDING) or {}).get("next", "")


@dataclass(frozen=True)
class NextStep:
    kind: str  # "done", "totp", "enrol" or "sms"


def next_step(user) -> NextStep:
    """What the user must do after the password: staff need TOTP (enrolment first); others give the
    factor they set up (TOTP, else SMS), or nothing."""
    device = factors.confirmed_device(user)
    if factors.is_staff_member(user):
        return NextStep("totp" if device else "enrol")
    if device:
        return NextStep("totp")
    profile = LoginProfile.objects.filter(user=user).first()
    if profile and profile.sms_factor and factors.sms_available(user):
        return NextStep("sms")
    return NextStep("done")


# --- step 2: second factor ------------------------------------------------------------------------

def second_factor_step(request, *, user, factor: str, code: str, confirming: bool = False) -> None:
    """Check a TOTP or SMS code of the pending user and complete the login.

    Wrong and replayed codes count as failures for the account (lockout applies). SMS is refused
    for staff. Raises LoginRefused.
    """
    address = throttle.client_address(request)
    _refuse_if_locked(user.get_username(), address)
    if factor == "sms":
        ok = factors.sms_available(user) and factors.sms_code_check(user=user, code=code)
    else:
        ok = factors.totp_check(user=user, code=code, confirming=confirming)
    if not ok:
        raise _fail(username=user.get_username(), address=address, user=user, factor=factor,
                    message=LoginRefused(_("The code is wrong, expired or already used.")))
    complete_login(request, user, factors_used=["password", factor])


@transaction.atomic
def complete_login(request, user, *, factors_used: list[str]) -> None:
    """Authenticate the session (Django rotates the session key), record the factors and the
    session generation, forget the account's failures. Audit: login.succeeded."""
    request.session.pop(PENDING, None)
    login(request, user, backend=getattr(user, "backend", None))
    request.session[FACTORS] = factors_used
    throttle.forget_failures(username=user.get_username())
    audit.record(actor=user, action="login.succeeded", target=user,
                 after={"factors": factors_used, "address": throttle.client_address(request)})


def cancel_pending(request) -> None:
    request.session.pop(PENDING, None)


# --- sessions --------------------------------------------------------------------------------------

def current_generation(user_id: int) -> int:
    return (LoginProfile.objects.filter(user_id=user_id).values_list("session_generation", flat=True).first()
            or 0)


@transaction.atomic
def logout_everywhere(request, *, actor) -> None:
    """End every session of ``actor``, this one included, by raising the session generation that
    SessionGenerationMiddleware compares on each request. Audit: login.logout_everywhere."""
    profile = LoginProfile.objects.select_for_update().get_or_create(user=actor)[0]
    profile.session_generation += 1
    profile.save(update_fields=["session_generation"])
    audit.record(actor=actor, action="login.logout_everywhere", target=actor,
                 after={"generation": profile.session_generation})
    logout(request)


@transaction.atomic
def password_change(request, *, form) -> None:
    """Save a validated PasswordChangeForm; Django then ends the user's other sessions (their
    session hash no longer matches) and keeps this one. Audit: login.password.changed."""
    from django.contrib.auth import update_session_auth_hash

    user = form.save()
    update_session_auth_hash(request, user)
    audit.record(actor=user, action="login.password.changed", target=user)


# --- password reset by SMS code -------------------------------------------------------------------

RESET = "login.reset"


def _reset_seconds() -> int:
    return int(getattr(settings, "GOVHALL_PASSWORD_RESET_SECONDS", 600))


@transaction.atomic
def password_reset_start(request, *, username: str) -> None:
    """Send a reset code by SMS to the phone registered for ``username``, when there is one.

    The answer is the same whether or not the account exists or has a phone (nothing about the
    account is revealed); the code can be asked once a minute and expires after 5 minutes. Locked
    names and addresses are refused. Audit: login.password.reset_requested (and login.sms.sent)."""
    address = throttle.client_address(request)
    _refuse_if_locked(username, address)
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is not None and getattr(user, "is_demo", False) and not getattr(settings, "GOVHALL_DEMO", False):
        user = None
    if user is not None and factors.sms_available(user):
        try:
            factors.sms_code_send(user=user, purpose="reset")
        except factors.FactorError:
            pass  # a code sent less than a minute ago is still valid; say nothing more
        audit.record(actor=user, action="login.password.reset_requested", target=user)
    request.session[RESET] = {"username": throttle.normalise(username), "at": time.time()}


def password_reset_username(request) -> str:
    """The account name of a reset started in this session in the last 10 minutes, or ""."""
    state = request.session.get(RESET)
    if not state or time.time() - state["at"] > _reset_seconds():
        return ""
    return state["username"]


def password_reset_complete(request, *, code: str, new_password1: str, new_password2: str) -> None:
    """Check the SMS code of the reset started in this session and set the new password; every
    session of the account ends (a new session generation). A wrong code counts as a failed
    log-in attempt (lockout applies). Raises LoginRefused, or ValidationError-like LoginRefused with
    the password rules' messages. Audit: login.password.reset."""
    from django.contrib.auth.forms import SetPasswordForm

    username = password_reset_username(request)
    if not username:
        raise LoginRefused(_("The reset took too long or was not started. Please start again."))
    address = throttle.client_address(request)
    _refuse_if_locked(username, address)
    user = get_user_model().objects.filter(username__iexact=username, is_active=True).first()
    if user is None or not factors.sms_available(user) or not factors.sms_code_check(
            user=user, code=code, purpose="reset"):
        raise _fail(username=username, address=address, user=user, factor="reset",
                    message=LoginRefused(_("The code is wrong, expired or already used.")))
    form = SetPasswordForm(user, {"new_password1": new_password1, "new_password2": new_password2})
    if not form.is_valid():
        raise LoginRefused(" ".join(str(m) for errors in form.errors.values() for m in errors))
    with transaction.atomic():
        form.save()
        profile = LoginProfile.objects.select_for_update().get_or_create(user=user)[0]
        profile.session_generation += 1
        profile.save(update_fields=["session_generation"])
        throttle.forget_failures(username=user.get_username())
        audit.record(actor=user, action="login.password.reset", target=user,
                     after={"generation": profile.session_generation})
    request.session.pop(RESET, None)
