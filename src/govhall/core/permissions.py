"""Permission registry and the deny-by-default view decorator.

Every URL's view carries ``govhall_permission``: a registered permission code, or PUBLIC. A test
walks the URL configuration and fails on any view without one. Permissions reach users through
roles (identity/roles.py, registered with ``register_grants`` at start); object scope (organ, region) is checked by ``access_*`` selectors, which
answer 404 for what the user may not see.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


@dataclass(frozen=True)
class Permission:
    code: str
    zh: str
    en: str


REGISTRY: dict[str, Permission] = {}


def register(code: str, zh: str, en: str) -> str:
    if code in REGISTRY and REGISTRY[code] != Permission(code, zh, en):
        raise ValueError(f"permission {code} registered twice with different labels")
    REGISTRY[code] = Permission(code, zh, en)
    return code


PUBLIC = register("public", "公开", "anyone, without login")
AUTHENTICATED = register("authenticated", "已登录", "any logged-in user")
EVENT_MANAGE = register("core.event.manage", "处理失败的领域事件投递（查看、重试）",
                        "see failed domain-event deliveries and retry them")


def _no_grants(user) -> frozenset[str]:
    return frozenset()


_grants_of = _no_grants  # deny by default until the identity context registers its roles


def register_grants(source) -> None:
    """Set where a user's permission codes come from: ``source(user) -> frozenset[str]``. The identity
    context registers its roles (identity/roles.py) when Django starts (core imports no other app)."""
    global _grants_of
    _grants_of = source


def has_permission(user, code: str) -> bool:
    if code == PUBLIC:
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    if code == AUTHENTICATED:
        return True
    return code in _grants_of(user)


def requires(code: str):
    """Declare and enforce the permission of a view. Anonymous users are sent to login; logged-in
    users without the permission get 403."""
    if code not in REGISTRY:
        raise ValueError(f"unknown permission {code!r}: register it first")

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if code != PUBLIC:
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                if not has_permission(request.user, code):
                    raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.govhall_permission = code
        return wrapper

    return decorate


def declare(code: str, view):
    """Mark a third-party view (e.g. an API router) whose own checks enforce ``code``."""
    if code not in REGISTRY:
        raise ValueError(f"unknown permission {code!r}")
    view.govhall_permission = code
    return view
