"""The Authlib authorization server, wired to our models.

Grants: authorization code (people; OpenID Connect; PKCE with S256, required for every client)
and client credentials (platforms acting as themselves). No implicit or password grant, no
refresh tokens: an access token lives one hour, then the platform signs the person in again
(silently, with the session and remembered consent).
"""

from __future__ import annotations

import datetime as dt
import time
from functools import lru_cache

from authlib.integrations.django_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import InvalidGrantError, InvalidRequestError, InvalidScopeError, grants
from authlib.oauth2.rfc6749.util import scope_to_list
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import grants as oidc_grants
from django.conf import settings
from django.utils import timezone

from . import claims, keys, services
from . import scopes as scope_defs
from .models import AuthorizationCode, Client, Token, digest

ACCESS_TOKEN_SECONDS = 3600
ID_TOKEN_SECONDS = 3600
CODE_SECONDS = 300


def issuer(request) -> str:
    """``settings.GOVHALL_OIDC_ISSUER`` (set it in production), else this site's own origin."""
    configured = getattr(settings, "GOVHALL_OIDC_ISSUER", "")
    if configured:
        return configured.rstrip("/")
    return request.build_absolute_uri("/").rstrip("/")


class GovHallAuthorizationServer(AuthorizationServer):
    def __init__(self):
        super().__init__(Client, Token)

    def load_config(self, config):
        merged = {
            "token_expires_in": {"authorization_code": ACCESS_TOKEN_SECONDS,
                                 "client_credentials": ACCESS_TOKEN_SECONDS},
            "scopes_supported": list(scope_defs.SCOPES),
        }
        merged.update(config)
        super().load_config(merged)

    def query_client(self, client_id):
        if not client_id:
            return None
        return Client.objects.filter(client_id=client_id, is_active=True).first()

    def save_token(self, token, request):
        code = getattr(request, "authorization_code", None)
        return Token.objects.create(
            access_digest=digest(token["access_token"]),
            client=request.client,
            user=request.user if getattr(request.user, "pk", None) else None,
            scope=token.get("scope", ""),
            code=code if isinstance(code, AuthorizationCode) else None,
            expires_at=timezone.now() + dt.timedelta(seconds=int(token["expires_in"])),
        )


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def save_authorization_code(self, code, request):
        data = request.payload.data
        client = request.client
        user = request.user
        now = timezone.now()
        challenge = data.get("code_challenge", "")
        return AuthorizationCode.objects.create(
            code_digest=digest(code), client=client, user=user,
            redirect_uri=request.payload.redirect_uri or "",
            scope=request.scope or "",
            nonce=data.get("nonce", ""),
            code_challenge=challenge,
            code_challenge_method=(data.get("code_challenge_method") or PKCE.DEFAULT_CODE_CHALLENGE_METHOD)
            if challenge else "",
            auth_time=user.last_login or now, expires_at=now + dt.timedelta(seconds=CODE_SECONDS),
        )

    def query_authorization_code(self, code, client):
        item = (AuthorizationCode.objects.select_for_update().select_related("user", "client")
                .filter(code_digest=digest(code), client=client).first())
        if item is None:
            return None
        if item.used_at is not None:
            services.code_reuse_revoke(code=item)
            return None
        if item.expires_at <= timezone.now():
            return None
        return item

    def delete_authorization_code(self, authorization_code):
        authorization_code.used_at = timezone.now()
        authorization_code.save(update_fields=["used_at"])

    def authenticate_user(self, authorization_code):
        user = authorization_code.user
        return user if user.is_active else None


class PKCE(CodeChallenge):
    """PKCE with S256 for every client, confidential ones included (RFC 9700 §2.1.1): no code is
    issued without ``code_challenge`` and ``code_challenge_method=S256``, and no code is exchanged
    without its verifier."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE is required: send code_challenge with code_challenge_method=S256.")
        super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant, result):
        if not self.get_authorization_code_challenge(grant.request.authorization_code):
            raise InvalidGrantError(description="The code was issued without PKCE.")
        if not grant.request.form.get("code_verifier"):
            raise InvalidRequestError("PKCE is required: send code_verifier.")
        try:
            super().validate_code_verifier(grant, result)
        except InvalidGrantError:
            code = grant.request.authorization_code
            grant.delete_authorization_code(code)  # one attempt: a guessed verifier burns the code
            services.pkce_failure_record(code=code)
            raise


class OpenIDCode(oidc_grants.OpenIDCode):
    def exists_nonce(self, nonce, request):
        return AuthorizationCode.objects.filter(client__client_id=request.payload.client_id, nonce=nonce).exists()

    def resolve_client_private_key(self, client):
        return keys.keyring().active

    def get_client_algorithm(self, client):
        return keys.ALG

    def get_encode_header(self, client):
        return {"alg": keys.ALG, "kid": keys.keyring().active.kid, "typ": "JWT"}

    def get_compatible_claims(self, request):
        now = int(time.time())
        return {"iss": issuer(request._request), "aud": [request.client.get_client_id()],
                "iat": now, "exp": now + ID_TOKEN_SECONDS, "auth_time": now}

    def generate_user_info(self, user, scope):
        return claims.user_claims(user, scope)


class PlatformCredentialsGrant(grants.ClientCredentialsGrant):
    """A platform calling the API as itself: only non-personal scopes; none asked → all it may have."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def validate_token_request(self):
        super().validate_token_request()
        client = self.request.client
        requested = scope_to_list(self.request.payload.scope) or []
        if set(requested) & scope_defs.PERSONAL_SCOPES:
            raise InvalidScopeError("Personal scopes need a person's consent (authorization code grant).")
        if requested:
            granted = client.get_allowed_scope(" ".join(requested))
            if granted is None:
                raise InvalidScopeError()
        else:
            granted = " ".join(s for s in client.scope.split() if s not in scope_defs.PERSONAL_SCOPES)
        self.granted_scope = granted

    def create_token_response(self):
        token = self.generate_token(scope=self.granted_scope, include_refresh_token=False)
        self.save_token(token)
        return 200, token, self.TOKEN_RESPONSE_HEADER


@lru_cache(maxsize=1)
def server() -> GovHallAuthorizationServer:
    instance = GovHallAuthorizationServer()
    instance.register_grant(CodeGrant, [OpenIDCode(require_nonce=False), PKCE(required=True)])
    instance.register_grant(PlatformCredentialsGrant)
    return instance
