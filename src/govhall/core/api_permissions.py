"""Deny by default for ninja operations (in core: the API app and the protocol apps' small APIs, such as
the OIDC provider's /oauth/whoami, share it; ``govhall.api.permissions`` re-exports it).

Every operation function declares its permission with ``@permission(CODE)``, placed under (or
over) the router decorator. ``permitted_urls(api)`` builds the API's URL patterns and copies the
declaration onto each generated view callback as ``govhall_permission``, the attribute the
project-wide URL walk checks. It raises ImproperlyConfigured, at import of ``govhall.api.urls``,
when an operation has no declaration, or when operations sharing one URL (GET and POST on the
same path) declare different permissions.

PUBLIC operations run as they are. For any other code the decorator also enforces it: anonymous
callers get 401, logged-in users without the permission 403, both as structured errors.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import ImproperlyConfigured
from ninja import NinjaAPI
from ninja.decorators import decorate_view
from ninja.operation import PathView

from govhall.core.permissions import PUBLIC, REGISTRY, has_permission

from .api_errors import error_response

ATTRIBUTE = "govhall_permission"
# The views ninja adds itself: the OpenAPI document, the interactive docs and the API root.
DOCS_PERMISSION = PUBLIC
NINJA_OWN_URL_NAMES = {"openapi-json", "openapi-view", "api-root"}


def _enforce(code: str):
    def decorate(run):
        @wraps(run)
        def checked(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return error_response(401, "auth.required", "请先登录", "authentication required")
            if not has_permission(request.user, code):
                return error_response(403, "auth.forbidden", "无权访问", "permission denied")
            return run(request, *args, **kwargs)

        return checked

    return decorate


def permission(code: str):
    """Declare (and, unless PUBLIC, enforce) the permission of a ninja operation."""
    if code not in REGISTRY:
        raise ValueError(f"unknown permission {code!r}: register it first")

    def decorate(func):
        setattr(func, ATTRIBUTE, code)
        if code != PUBLIC:
            func = decorate_view(_enforce(code))(func)
        return func

    return decorate


def operation_permissions(api: NinjaAPI) -> dict[str, str]:
    """``"METHOD /path": code`` for every operation of ``api`` (for docs and tests)."""
    out = {}
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    out[f"{method} {bound.prefix}{path}"] = getattr(operation.view_func, ATTRIBUTE, None)
    return out


def _path_view_of(callback) -> PathView | None:
    # ninja's generated view is a closure over its PathView (ninja/operation.py, PathView.get_view).
    for cell in getattr(callback, "__closure__", None) or ():
        if isinstance(cell.cell_contents, PathView):
            return cell.cell_contents
    return None


def _permission_of(pattern) -> str:
    if pattern.name in NINJA_OWN_URL_NAMES:
        return DOCS_PERMISSION
    path_view = _path_view_of(pattern.callback)
    if path_view is None:
        raise ImproperlyConfigured(f"API URL {pattern.pattern}: cannot find its ninja operations")
    codes = set()
    for operation in path_view.operations:
        code = getattr(operation.view_func, ATTRIBUTE, None)
        if code is None:
            name = f"{operation.view_func.__module__}.{operation.view_func.__qualname__}"
            raise ImproperlyConfigured(f"API operation {name} ({'/'.join(operation.methods)} {pattern.pattern}) "
                                       f"declares no permission: add @permission(...)")
        codes.add(code)
    if len(codes) != 1:
        raise ImproperlyConfigured(f"API URL {pattern.pattern}: its operations declare different permissions "
                                   f"{sorted(codes)}; give them separate paths")
    return codes.pop()


def permitted_urls(api: NinjaAPI):
    """``api.urls`` with ``govhall_permission`` set on every generated view; fails closed."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        setattr(pattern.callback, ATTRIBUTE, _permission_of(pattern))
    return patterns, app_name, namespace
