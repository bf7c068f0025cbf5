"""A person signs in to another platform: authorize → consent → code → tokens → userinfo."""

import pytest
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from govhall.core.models import AuditEvent
from govhall.oidc import claims
from govhall.oidc.models import AuthorizationCode, Consent, Token

from .helpers import REDIRECT, authorize_url, exchange, get_code, pkce, query_of

pytestmark = pytest.mark.django_db


def verify_id_token(http, id_token):
    jwks = KeySet.import_key_set(http.get("/oauth/jwks").json())
    return jwt.decode(id_token, jwks, algorithms=["RS256"])


def test_discovery_names_every_endpoint_and_only_s256(client):
    config = client.get("/.well-known/openid-configuration").json()
    assert config["issuer"] == "https://testserver"
    assert config["authorization_endpoint"] == "https://testserver/oauth/authorize"
    assert config["token_endpoint"] == "https://testserver/oauth/token"
    assert config["userinfo_endpoint"] == "https://testserver/oauth/userinfo"
    assert config["jwks_uri"] == "https://testserver/oauth/jwks"
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert config["id_token_signing_alg_values_supported"] == ["RS256"]
    assert {"openid", "profile", "id_masked"} <= set(config["scopes_supported"])


def test_discovery_lists_exactly_the_claims_the_provider_issues(client, applicant_person, platform):
    """No ``id_masked`` claim (it is a scope); every listed claim is issued to a real-name person."""
    listed = set(client.get("/.well-known/openid-configuration").json()["claims_supported"])
    assert "id_masked" not in listed
    app, secret = platform
    client.force_login(applicant_person.user)
    body = exchange(client, app, get_code(client, app, scope="openid profile id_masked", nonce="n-1"),
                    secret=secret).json()
    issued = set(verify_id_token(client, body["id_token"]).claims)
    issued |= set(client.get("/oauth/userinfo", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}").json())
    assert issued == listed


def test_issuer_can_be_fixed_by_setting(client, settings):
    settings.GOVHALL_OIDC_ISSUER = "https://www.ahzwfw.gov.cn/"
    assert client.get("/.well-known/openid-configuration").json()["issuer"] == "https://www.ahzwfw.gov.cn"


def test_anonymous_person_is_sent_to_the_platform_login(client, platform):
    response = client.get(authorize_url(platform[0]))
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/?next=/oauth/authorize")


def test_consent_screen_names_the_platform_and_the_scopes_in_chinese(client, resident, platform):
    client.force_login(resident)
    page = client.get(authorize_url(platform[0], scope="openid profile id_masked")).content.decode()
    assert "皖事通·公积金" in page
    assert "您的姓名" in page
    assert "脱敏" in page
    assert "实名" in page  # the trust level is named even though it is always released with openid


def test_confidential_platform_gets_signed_id_token_with_trust_level_and_name(client, resident, platform):
    app, secret = platform
    client.force_login(resident)
    code = get_code(client, app, nonce="n-once")
    response = exchange(client, app, code, secret=secret)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"].lower() == "bearer"
    assert body["expires_in"] == 3600
    assert "refresh_token" not in body
    token = verify_id_token(client, body["id_token"])
    assert token.header["kid"]
    assert token.claims["iss"] == "https://testserver"
    assert token.claims["aud"] == [app.client_id]
    assert token.claims["sub"] == str(resident.pk)
    assert token.claims["trust_level"] == claims.trust_level(resident)
    assert token.claims["name"] == "张三"
    assert token.claims["nonce"] == "n-once"
    assert "at_hash" in token.claims


def test_userinfo_answers_for_the_access_token(client, resident, platform):
    app, secret = platform
    client.force_login(resident)
    access = exchange(client, app, get_code(client, app, scope="openid"), secret=secret).json()["access_token"]
    info = client.get("/oauth/userinfo", HTTP_AUTHORIZATION=f"Bearer {access}").json()
    assert info == {"sub": str(resident.pk), "trust_level": claims.trust_level(resident)}  # no profile: no name
    assert client.get("/oauth/userinfo").status_code == 401
    assert client.get("/oauth/userinfo", HTTP_AUTHORIZATION="Bearer forged").status_code == 401


def test_public_client_with_pkce(client, resident, app_client):
    verifier, challenge = pkce()
    client.force_login(resident)
    code = get_code(client, app_client, challenge=challenge)
    response = exchange(client, app_client, code, verifier=verifier)
    assert response.status_code == 200, response.content
    assert verify_id_token(client, response.json()["id_token"]).claims["sub"] == str(resident.pk)


@pytest.mark.parametrize("which", ["public", "confidential"])
def test_no_client_gets_a_code_without_pkce(client, resident, app_client, platform, which):
    """RFC 9700 §2.1.1: PKCE for confidential clients too (it stops code injection, which a client
    secret does not)."""
    client.force_login(resident)
    target = app_client if which == "public" else platform[0]
    client.post(authorize_url(target), {"allow": "1"})  # consent given: only PKCE is missing below
    for extra in ({"challenge": None}, {"challenge": None, "code_challenge_method": "S256"},
                  {"code_challenge_method": ""}):
        response = client.get(authorize_url(target, **extra))
        assert response.status_code == 302
        assert query_of(response)["error"] == "invalid_request"
        assert "PKCE" in query_of(response)["error_description"]
        assert query_of(response)["state"] == "st-123"


def test_a_confidential_client_must_send_the_verifier_too(client, resident, platform):
    app, secret = platform
    client.force_login(resident)
    code = get_code(client, app)
    response = exchange(client, app, code, secret=secret, verifier=None)
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    assert not Token.objects.exists()


def test_a_code_issued_without_pkce_is_not_exchanged(client, resident, platform):
    """Codes from before PKCE was required for confidential clients (they live five minutes)."""
    app, secret = platform
    client.force_login(resident)
    code = get_code(client, app)
    AuthorizationCode.objects.update(code_challenge="", code_challenge_method="")
    response = exchange(client, app, code, secret=secret, verifier=None)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"
    assert not Token.objects.exists()


def test_plain_pkce_method_is_refused(client, resident, app_client):
    client.force_login(resident)
    _, challenge = pkce()
    response = client.get(authorize_url(app_client, code_challenge=challenge, code_challenge_method="plain"))
    assert query_of(response)["error"] == "invalid_request"


def test_wrong_pkce_verifier_is_refused_audited_and_burns_the_code(client, resident, app_client):
    verifier, challenge = pkce()
    client.force_login(resident)
    code = get_code(client, app_client, challenge=challenge)
    wrong, _ = pkce()
    response = exchange(client, app_client, code, verifier=wrong)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert AuditEvent.objects.filter(action="oidc.token.pkce_failed").count() == 1
    assert exchange(client, app_client, code, verifier=verifier).json()["error"] == "invalid_grant"


def test_reused_code_is_refused_and_revokes_the_tokens_it_gave(client, resident, platform):
    app, secret = platform
    client.force_login(resident)
    code = get_code(client, app)
    first = exchange(client, app, code, secret=secret)
    assert first.status_code == 200
    second = exchange(client, app, code, secret=secret)
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"
    assert Token.objects.get().revoked_at is not None
    access = first.json()["access_token"]
    assert client.get("/oauth/userinfo", HTTP_AUTHORIZATION=f"Bearer {access}").status_code == 401
    event = AuditEvent.objects.get(action="oidc.code.reused")
    assert event.after["tokens_revoked"] == 1


def test_code_is_bound_to_its_redirect_uri_and_client(client, resident, platform):
    app, secret = platform
    client.force_login(resident)
    code = get_code(client, app)
    response = exchange(client, app, code, secret=secret, redirect_uri="https://platform.example.cn/other")
    assert response.json()["error"] == "invalid_grant"
    assert exchange(client, app, code, secret="wrong-secret").status_code == 401


def test_unknown_client_gets_our_error_page_not_a_redirect(client, resident):
    client.force_login(resident)
    response = client.get("/oauth/authorize?response_type=code&client_id=nobody&redirect_uri=https://evil.example/cb"
                          "&scope=openid")
    assert response.status_code == 400
    assert "invalid_client" in response.content.decode()


def test_unregistered_redirect_uri_is_never_followed(client, resident, platform):
    client.force_login(resident)
    response = client.get(authorize_url(platform[0], redirect_uri="https://evil.example/cb"))
    assert response.status_code == 400
    assert "Location" not in response
    assert "evil.example" in response.content.decode()  # named in the technical detail only


def test_scope_the_client_may_not_ask_for_is_refused(client, resident, app_client):
    client.force_login(resident)
    _, challenge = pkce()
    response = client.get(authorize_url(app_client, scope="openid id_masked", challenge=challenge))
    assert query_of(response)["error"] == "invalid_scope"


def test_refusing_consent_sends_access_denied_back(client, resident, platform):
    client.force_login(resident)
    url = authorize_url(platform[0])
    response = client.post(url, {"deny": "1"})
    assert response["Location"].startswith(REDIRECT)
    assert query_of(response)["error"] == "access_denied"
    assert not Consent.objects.exists()


def test_consent_is_remembered_per_client_and_scope_set(client, resident, platform):
    app, _ = platform
    client.force_login(resident)
    get_code(client, app, scope="openid profile")
    assert AuditEvent.objects.filter(action="oidc.consent.granted").count() == 1
    again = client.get(authorize_url(app, scope="openid profile"))
    assert again.status_code == 302 and "code" in query_of(again)  # no second question
    assert client.get(authorize_url(app, scope="openid")).status_code == 302  # a subset is covered too
    more = client.get(authorize_url(app, scope="openid profile id_masked"))
    assert more.status_code == 200  # more data: ask again
    assert client.get(authorize_url(app, scope="openid profile", prompt="consent")).status_code == 200


def test_prompt_none_without_consent_answers_consent_required(client, resident, platform):
    client.force_login(resident)
    response = client.get(authorize_url(platform[0], prompt="none"))
    assert query_of(response)["error"] == "consent_required"


def test_prompt_none_without_session_answers_login_required(client, platform):
    response = client.get(authorize_url(platform[0], prompt="none"))
    assert query_of(response)["error"] == "login_required"


def test_tampered_id_token_fails_the_clients_check(client, resident, platform):
    app, secret = platform
    client.force_login(resident)
    id_token = exchange(client, app, get_code(client, app), secret=secret).json()["id_token"]
    header, payload, signature = id_token.split(".")
    import base64
    import json

    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["trust_level"] = 5
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(BadSignatureError):
        verify_id_token(client, f"{header}.{forged}.{signature}")
