"""Registering platforms in the console: system administrators only, secret shown once, audited."""

import pytest

from govhall.core.models import AuditEvent
from govhall.oidc.models import Client, digest

pytestmark = pytest.mark.django_db

NEW = "/console/oidc/clients/new/"


def test_anonymous_goes_to_login_and_residents_are_refused(client, resident):
    assert client.get("/console/oidc/clients/")["Location"].startswith("/account/login/")
    client.force_login(resident)
    assert client.get("/console/oidc/clients/").status_code == 403
    assert client.get(NEW).status_code == 403


def test_other_staff_are_refused(client, catalog_admin):
    client.force_login(catalog_admin)
    assert client.get("/console/oidc/clients/").status_code == 403


def test_system_admin_registers_a_platform_and_sees_the_secret_once(client, system_admin):
    client.force_login(system_admin)
    assert client.get(NEW).status_code == 200
    response = client.post(NEW, {"name": "六安市公积金中心", "kind": "confidential",
                                 "redirect_uris": "https://gjj.luan.gov.cn/oidc/callback\n",
                                 "grant_types": ["authorization_code"], "scope": ["openid", "profile"]})
    assert response.status_code == 302
    registered = Client.objects.get()
    assert registered.redirect_uris == ["https://gjj.luan.gov.cn/oidc/callback"]
    assert registered.scope == "openid profile"
    page = client.get(response["Location"]).content.decode()
    secret = page.split('<code class="oidc-secret">')[1].split("</code>")[0]
    assert registered.secret_digest == digest(secret)
    assert secret not in client.get(response["Location"]).content.decode()  # only once
    event = AuditEvent.objects.get(action="oidc.client.registered")
    assert event.actor == system_admin
    assert secret not in str(event.after)
    assert "六安市公积金中心" in client.get("/console/oidc/clients/").content.decode()


def test_registration_problems_are_all_shown(client, system_admin):
    client.force_login(system_admin)
    response = client.post(NEW, {"name": "x", "kind": "public", "redirect_uris": "http://example.cn/cb",
                                 "grant_types": ["authorization_code", "client_credentials"],
                                 "scope": ["openid"]})
    assert response.status_code == 400
    page = response.content.decode()
    assert "HTTPS" in page
    assert "公开客户端不能使用客户端凭证方式" in page
    assert not Client.objects.exists()


def test_public_client_has_no_secret(client, system_admin):
    client.force_login(system_admin)
    response = client.post(NEW, {"name": "皖事通 App", "kind": "public", "redirect_uris": "http://127.0.0.1:9000/cb",
                                 "grant_types": ["authorization_code"], "scope": ["openid"]})
    assert response.status_code == 302
    assert Client.objects.get().secret_digest == ""
    assert "oidc-secret" not in client.get(response["Location"]).content.decode()


def test_unknown_client_page_is_404(client, system_admin):
    client.force_login(system_admin)
    assert client.get("/console/oidc/clients/nope/").status_code == 404


def test_demo_client_is_created_once(db):
    from govhall.oidc.demo import DEMO_CLIENT_ID, create_demo_client

    assert create_demo_client().pk == create_demo_client().pk
    assert Client.objects.get().client_id == DEMO_CLIENT_ID
