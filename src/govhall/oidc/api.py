"""A small bearer-token API of the provider, mounted at /oauth/ (``GET /oauth/whoami``).

``make_router()`` builds a fresh router, so the lead can also mount it in the public API v1:
``api.add_router("/oauth", make_router())``. Its operations carry ``govhall_permission =
oidc.bearer``: they are guarded by the token's scope, not by the session.
"""

from __future__ import annotations

from ninja import NinjaAPI, Router, Schema

from govhall.core.api_errors import error_response
from govhall.core.api_permissions import permitted_urls
from govhall.core.api_renderers import Utf8JSONRenderer

from . import claims
from . import scopes as scope_defs
from .ninja_auth import BearerToken, InsufficientScope
from .permissions import BEARER


class WhoAmI(Schema):
    client_id: str
    platform: str
    sub: str | None
    trust_level: int | None
    scope: list[str]


def make_router() -> Router:
    router = Router(tags=["oauth"])

    def whoami(request):
        """Who this token speaks for: the platform, and the person if any (scope api.read)."""
        token = request.auth
        user = token.user
        return {"client_id": token.client.client_id, "platform": token.client.name,
                "sub": claims.subject(user) if user else None,
                "trust_level": claims.trust_level(user) if user else None,
                "scope": token.scopes}

    whoami.govhall_permission = BEARER
    router.get("/whoami", response=WhoAmI, auth=BearerToken(scopes=[scope_defs.API_READ]))(whoami)
    return router


def _install_errors(api: NinjaAPI) -> None:
    from ninja.errors import AuthenticationError

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        response = error_response(401, "auth.token_required", "需要有效的访问令牌", "a valid bearer token is required")
        response["WWW-Authenticate"] = 'Bearer realm="govhall"'
        return response

    @api.exception_handler(InsufficientScope)
    def insufficient(request, exc: InsufficientScope):
        response = error_response(403, "auth.insufficient_scope", f"访问令牌缺少授权范围：{' '.join(exc.missing)}",
                                  exc.message)
        response["WWW-Authenticate"] = f'Bearer error="insufficient_scope", scope="{" ".join(exc.missing)}"'
        return response


api = NinjaAPI(title="GovHall OAuth", version="1", urls_namespace="oidc-api", docs_url=None, openapi_url=None,
               renderer=Utf8JSONRenderer())
_install_errors(api)
api.add_router("", make_router())
urls = permitted_urls(api)
