"""A real platform (Authlib over HTTP) signs a resident in through the live site, end to end."""

import base64
import json
import re
import secrets

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session

from govhall.oidc.models import Client

from .helpers import register

CALLBACK = "http://127.0.0.1:8001/callback"  # never served: the test reads the redirect itself


def with_claims(id_token: str, **changes) -> str:
    """The same token with some claims changed and the original signature: what a forger would send."""
    head, body, signature = id_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{head}.{forged}.{signature}"


def form_token(html: str) -> str:
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[-1]


@pytest.fixture
def http_sessions():
    """HTTP sessions closed after the test: a kept-alive connection keeps a live-server thread, and
    its database connection, open, and PostgreSQL then cannot drop the test database."""
    opened = []

    def track(session):
        opened.append(session)
        return session

    yield track
    for session in opened:
        session.close()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # authlib.jose is deprecated in favour of joserfc
@pytest.mark.django_db(transaction=True)
def test_resident_signs_in_to_another_platform(live_server, resident, http_sessions):
    from authlib.jose import JsonWebKey, JsonWebToken
    from authlib.jose.errors import BadSignatureError

    app, secret = register(redirect_uris=(CALLBACK,), scope=("openid", "profile", "api.read"))
    config = requests.get(f"{live_server.url}/.well-known/openid-configuration", timeout=10).json()
    assert config["issuer"] == live_server.url

    platform = http_sessions(OAuth2Session(app.client_id, secret, scope="openid profile", redirect_uri=CALLBACK,
                                           code_challenge_method="S256",
                                           token_endpoint_auth_method="client_secret_basic"))
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(12)
    url, state = platform.create_authorization_url(config["authorization_endpoint"], code_verifier=verifier,
                                                   nonce=nonce)

    browser = http_sessions(requests.Session())
    to_login = browser.get(url, allow_redirects=False, timeout=10)
    assert to_login.status_code == 302 and "/account/login/" in to_login.headers["Location"]
    login_page = browser.get(live_server.url + to_login.headers["Location"], timeout=10)
    login_form = login_page.text[login_page.text.index('action="/account/login/"'):]  # not the language form
    next_url = re.search(r'name="next" value="([^"]*)"', login_form).group(1).replace("&amp;", "&")
    logged_in = browser.post(login_page.url, data={"csrfmiddlewaretoken": form_token(login_page.text),
                                                   "username": "zhang_san", "password": "Correct-Horse-9",
                                                   "next": next_url},
                             headers={"Referer": login_page.url}, timeout=10)
    assert logged_in.status_code == 200 and "皖事通·公积金" in logged_in.text  # the consent screen
    consent = browser.post(logged_in.url, data={"csrfmiddlewaretoken": form_token(logged_in.text), "allow": "1"},
                           headers={"Referer": logged_in.url}, allow_redirects=False, timeout=10)
    assert consent.status_code == 302
    callback = consent.headers["Location"]
    assert callback.startswith(CALLBACK) and f"state={state}" in callback

    token = platform.fetch_token(config["token_endpoint"], authorization_response=callback, code_verifier=verifier)

    jwks = JsonWebKey.import_key_set(requests.get(config["jwks_uri"], timeout=10).json())
    id_claims = JsonWebToken(["RS256"]).decode(token["id_token"], jwks, claims_options={
        "iss": {"essential": True, "value": config["issuer"]},
        "aud": {"essential": True, "value": app.client_id},
        "nonce": {"essential": True, "value": nonce},
    })
    id_claims.validate()
    assert id_claims["sub"] == str(resident.pk)
    assert id_claims["name"] == "张三"
    assert isinstance(id_claims["trust_level"], int)

    tampered = with_claims(token["id_token"], trust_level=5)
    with pytest.raises(BadSignatureError):  # client-side check of a tampered token fails
        JsonWebToken(["RS256"]).decode(tampered, jwks)

    info = platform.get(config["userinfo_endpoint"], timeout=10).json()
    assert info == {"sub": str(resident.pk), "trust_level": id_claims["trust_level"], "name": "张三"}
    assert Client.objects.filter(client_id=app.client_id).exists()
