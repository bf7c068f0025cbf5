"""Helpers for the provider's tests: register clients, run the authorization code flow."""

import base64
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

from authlib.oauth2.rfc7636 import create_s256_code_challenge

from govhall.oidc import services
from govhall.oidc.models import Client

REDIRECT = "https://platform.example.cn/callback"


def register(kind=Client.Kind.CONFIDENTIAL, grant_types=("authorization_code",),
             scope=("openid", "profile", "id_masked", "api.read"), redirect_uris=(REDIRECT,), name="皖事通·公积金"):
    return services.client_register(actor=None, name=name, kind=kind, redirect_uris=list(redirect_uris),
                                    grant_types=list(grant_types), scope=list(scope))


def pkce():
    verifier = secrets.token_urlsafe(48)
    return verifier, create_s256_code_challenge(verifier)


# Every client sends PKCE (confidential ones too): the flows below use this pair unless told otherwise
# (``challenge=None`` / ``verifier=None`` leave it out).
VERIFIER, CHALLENGE = pkce()


def authorize_url(client, scope="openid profile", challenge=CHALLENGE, redirect_uri=REDIRECT, **extra):
    params = {"response_type": "code", "client_id": client.client_id, "redirect_uri": redirect_uri,
              "scope": scope, "state": "st-123", "nonce": secrets.token_urlsafe(8)}
    if challenge:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    params.update(extra)
    return "/oauth/authorize?" + urlencode(params)


def query_of(response) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}


def basic(client_id, secret):
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def get_code(http, client, scope="openid profile", challenge=CHALLENGE, **extra) -> str:
    """Authorize and consent; return the code from the redirect."""
    url = authorize_url(client, scope=scope, challenge=challenge, **extra)
    response = http.get(url)
    if response.status_code == 200:
        response = http.post(url, {"allow": "1"})
    assert response.status_code == 302, response.content
    assert response["Location"].startswith(REDIRECT)
    return query_of(response)["code"]


def exchange(http, client, code, secret=None, verifier=VERIFIER, redirect_uri=REDIRECT):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    headers = {}
    if secret:
        headers["HTTP_AUTHORIZATION"] = basic(client.client_id, secret)
    else:
        data["client_id"] = client.client_id
    if verifier:
        data["code_verifier"] = verifier
    return http.post("/oauth/token", data, **headers)
