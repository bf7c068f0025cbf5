"""Bearer tokens for the API: client credentials for platforms, scope checks on /oauth/whoami."""

import pytest

from govhall.oidc.models import Client

from .helpers import basic, exchange, get_code, register

pytestmark = pytest.mark.django_db


def credentials(http, client_id, secret, scope=None):
    data = {"grant_type": "client_credentials"}
    if scope is not None:
        data["scope"] = scope
    return http.post("/oauth/token", data, HTTP_AUTHORIZATION=basic(client_id, secret))


def test_platform_gets_a_token_for_itself_with_its_api_scopes(client, platform):
    app, secret = platform
    response = credentials(client, app.client_id, secret)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["scope"] == "api.read"  # personal scopes are never in a platform's own token
    assert "id_token" not in body
    who = client.get("/oauth/whoami", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert who.status_code == 200
    assert who.json() == {"client_id": app.client_id, "platform": "皖事通·公积金", "sub": None,
                          "trust_level": None, "scope": ["api.read"]}


def test_platform_cannot_ask_for_personal_data_without_a_person(client, platform):
    app, secret = platform
    response = credentials(client, app.client_id, secret, scope="openid profile")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_wrong_secret_is_invalid_client(client, platform):
    response = credentials(client, platform[0].client_id, "guess")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_client_without_the_grant_is_refused(client, db):
    app, secret = register(grant_types=("authorization_code",))
    response = credentials(client, app.client_id, secret)
    assert response.json()["error"] == "unauthorized_client"


def test_whoami_needs_a_token_401(client):
    response = client.get("/oauth/whoami")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "auth.token_required"
    assert client.get("/oauth/whoami", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401


def test_whoami_needs_the_api_read_scope_403(client, resident, platform):
    app, secret = platform
    client.force_login(resident)
    access = exchange(client, app, get_code(client, app, scope="openid profile"), secret=secret).json()["access_token"]
    client.logout()
    response = client.get("/oauth/whoami", HTTP_AUTHORIZATION=f"Bearer {access}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "auth.insufficient_scope"
    assert 'error="insufficient_scope"' in response["WWW-Authenticate"]


def test_person_token_with_api_read_speaks_for_the_person(client, resident, platform):
    app, secret = platform
    client.force_login(resident)
    access = exchange(client, app, get_code(client, app, scope="openid api.read"), secret=secret).json()["access_token"]
    client.logout()
    who = client.get("/oauth/whoami", HTTP_AUTHORIZATION=f"Bearer {access}").json()
    assert who["sub"] == str(resident.pk)
    assert who["scope"] == ["openid", "api.read"]


def test_deactivated_platform_tokens_stop_working(client, platform):
    app, secret = platform
    access = credentials(client, app.client_id, secret).json()["access_token"]
    Client.objects.filter(pk=app.pk).update(is_active=False)
    assert client.get("/oauth/whoami", HTTP_AUTHORIZATION=f"Bearer {access}").status_code == 401


def test_ninja_auth_class_can_guard_any_router():
    from ninja import NinjaAPI, Router
    from ninja.testing import TestClient

    from govhall.oidc.ninja_auth import BearerToken

    router = Router()

    @router.get("/x", auth=BearerToken(scopes=["api.read"]))
    def x(request):
        return {"ok": True}

    api = NinjaAPI(urls_namespace="oidc-test-api")
    api.add_router("", router)
    assert TestClient(api).get("/x").status_code == 401
