"""Deny by default: every URL declares the permission it needs, and that permission is registered."""

from django.urls import URLPattern, URLResolver, get_resolver

from govhall.core.permissions import REGISTRY


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def test_every_url_declares_a_registered_permission():
    routes = list(_walk(get_resolver().url_patterns))
    assert len(routes) > 5
    undeclared = [route for route, view in routes if not hasattr(view, "govhall_permission")]
    assert undeclared == [], f"URLs without a declared permission: {undeclared}"
    unknown = [(route, view.govhall_permission) for route, view in routes if view.govhall_permission not in REGISTRY]
    assert unknown == []


def test_the_walk_really_sees_an_undeclared_view():
    from django.urls import path

    def naked(request):
        return None

    assert [r for r, v in _walk([path("x/", naked)]) if not hasattr(v, "govhall_permission")] == ["x/"]
