"""django-ninja authentication by OAuth 2.0 bearer token (issued by this provider).

    from govhall.oidc.ninja_auth import BearerToken

    @router.get("/things", auth=BearerToken(scopes=["api.read"]))
    def things(request):
        token = request.auth          # govhall.oidc.models.Token
        token.user                    # the person, or None for a platform's own (client credentials) token

No or unknown/expired/revoked token → 401 (ninja's AuthenticationError); a valid token lacking a
required scope → 403 (AuthorizationError) naming the scope that is missing.
"""

from __future__ import annotations

from collections.abc import Iterable

from ninja.errors import AuthorizationError
from ninja.security import HttpBearer

from . import selectors


class InsufficientScope(AuthorizationError):
    def __init__(self, missing: Iterable[str]):
        self.missing = sorted(missing)
        super().__init__(403, f"insufficient_scope: the token lacks {' '.join(self.missing)}")


class BearerToken(HttpBearer):
    def __init__(self, scopes: Iterable[str] = ()):
        super().__init__()
        self.scopes = frozenset(scopes)

    def authenticate(self, request, token: str):
        found = selectors.access_token(token)
        if found is None:
            return None
        missing = self.scopes - set(found.scopes)
        if missing:
            raise InsufficientScope(missing)
        request.oauth_token = found
        return found
