"""OpenAPI document, offline docs page, structured errors and declared permissions."""

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import get_resolver
from ninja import NinjaAPI, Router

from govhall.api.permissions import operation_permissions, permission, permitted_urls
from govhall.api.v1 import api
from govhall.core.permissions import AUTHENTICATED, REGISTRY


def test_the_openapi_document_is_3_1_and_lists_both_item_endpoints(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1.")
    assert {"/api/v1/catalog/items", "/api/v1/catalog/items/{implementation_code}"} <= set(schema["paths"])


def test_the_docs_page_loads_its_scripts_from_our_own_static_files(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/static/") for s in sources), sources
    assert not re.search(r"https?://", html)


def test_every_operation_and_every_api_url_declares_a_permission():
    assert all(code is not None for code in operation_permissions(api).values())
    [v1] = [p for p in get_resolver().url_patterns if str(p.pattern) == "api/"][0].url_patterns[:1]
    for pattern in v1.url_patterns:
        assert getattr(pattern.callback, "govhall_permission", None) in REGISTRY, pattern.pattern


def test_an_operation_without_a_declared_permission_fails_the_url_build():
    other = NinjaAPI(urls_namespace="undeclared-test")
    router = Router()

    @router.get("/forgotten")
    def forgotten(request):
        return {}

    other.add_router("/x", router)
    with pytest.raises(ImproperlyConfigured, match="forgotten"):
        permitted_urls(other)


def test_a_non_public_operation_is_enforced(rf, django_user_model, db):
    other = NinjaAPI(urls_namespace="enforced-test")

    @other.get("/mine")
    @permission(AUTHENTICATED)
    def mine(request):
        return {"ok": True}

    patterns, _, _ = permitted_urls(other)
    [view] = [p.callback for p in patterns if str(p.pattern) == "mine"]
    assert view.govhall_permission == AUTHENTICATED
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/mine")
    request.user = AnonymousUser()
    response = view(request)
    assert response.status_code == 401
    request.user = django_user_model.objects.create_user(username="u", password="Correct-Horse-9")
    assert view(request).status_code == 200


def test_unknown_api_urls_answer_with_the_structured_404(client, db):
    response = client.get("/api/v1/nothing/here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
