"""Throttling and lockout, kept in the database so every gunicorn worker sees the same counts.

Rules (settings, defaults): ``GOVHALL_LOGIN_ACCOUNT_FAILURES`` (5) failures for one account name or
``GOVHALL_LOGIN_ADDRESS_FAILURES`` (20) from one client address within
``GOVHALL_LOGIN_FAILURE_WINDOW`` seconds (900) lock that name or address for
``GOVHALL_LOGIN_LOCK_SECONDS`` (900). Names are counted whether or not an account exists, so neither
the message nor the lock reveals which names are registered.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from govhall.core import audit

from .models import LoginFailure, LoginLock


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def account_limit() -> int:
    return _setting("GOVHALL_LOGIN_ACCOUNT_FAILURES", 5)


def address_limit() -> int:
    return _setting("GOVHALL_LOGIN_ADDRESS_FAILURES", 20)


def window() -> dt.timedelta:
    return dt.timedelta(seconds=_setting("GOVHALL_LOGIN_FAILURE_WINDOW", 900))


def lock_period() -> dt.timedelta:
    return dt.timedelta(seconds=_setting("GOVHALL_LOGIN_LOCK_SECONDS", 900))


def normalise(username: str) -> str:
    return (username or "").strip().lower()[:150]


def client_address(request) -> str:
    """REMOTE_ADDR, or the header the reverse proxy sets (``GOVHALL_LOGIN_CLIENT_IP_HEADER``, e.g.
    ``HTTP_X_REAL_IP``) when the platform runs behind one; never a header the client controls."""
    header = getattr(settings, "GOVHALL_LOGIN_CLIENT_IP_HEADER", "")
    value = request.META.get(header, "") if header else ""
    return (value or request.META.get("REMOTE_ADDR", "") or "unknown").split(",")[0].strip()[:64]


def active_lock(*, username: str, address: str) -> LoginLock | None:
    either = (Q(scope=LoginLock.Scope.ACCOUNT, key=normalise(username))
              | Q(scope=LoginLock.Scope.ADDRESS, key=address))
    return LoginLock.objects.filter(either, locked_until__gt=timezone.now()).order_by("-locked_until").first()


def _count_since(scope: str, key: str, now: dt.datetime) -> int:
    since = now - window()
    last_lock = (LoginLock.objects.filter(scope=scope, key=key).order_by("-locked_until")
                 .values_list("locked_until", flat=True).first())
    if last_lock and last_lock > since:
        since = last_lock  # failures before the end of a lock were already punished
    field = "username" if scope == LoginLock.Scope.ACCOUNT else "address"
    return LoginFailure.objects.filter(**{field: key, "created_at__gt": since}).count()


@transaction.atomic
def register_failure(*, username: str, address: str, user=None, factor: str) -> LoginLock | None:
    """Record a failed attempt; lock the account name or address when a limit is reached.

    Audit: login.failed, and login.locked when a lock starts (actor: the account when it exists).
    Returns the new lock, if any. ``factor`` says which step failed: password, totp or sms.
    """
    now, name = timezone.now(), normalise(username)
    LoginFailure.objects.create(username=name, address=address, created_at=now)
    audit.record(actor=user, action="login.failed", target_type="login.account", target_id=name,
                 target_label=name, after={"factor": factor, "address": address})
    new_lock = None
    for scope, key, limit in ((LoginLock.Scope.ACCOUNT, name, account_limit()),
                              (LoginLock.Scope.ADDRESS, address, address_limit())):
        if _count_since(scope, key, now) >= limit:
            new_lock = LoginLock.objects.create(scope=scope, key=key, locked_at=now,
                                                locked_until=now + lock_period())
            audit.record(actor=user, action="login.locked", target_type="login.account" if scope == "account"
                         else "login.address", target_id=key, target_label=key,
                         after={"scope": scope, "locked_until": new_lock.locked_until, "address": address})
    return new_lock


def forget_failures(*, username: str) -> None:
    """After a successful login the account's earlier failures no longer count (the audit log keeps them)."""
    LoginFailure.objects.filter(username=normalise(username)).delete()


def attempts_left(*, username: str) -> int:
    """Failures the account name may still have before it is locked (counted as the lock counts them)."""
    return max(account_limit() - _count_since(LoginLock.Scope.ACCOUNT, normalise(username), timezone.now()), 0)
