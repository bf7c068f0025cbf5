"""Reads of the OpenID Connect provider."""

from __future__ import annotations

from . import scopes as scope_defs
from .models import Client, Consent, Token, digest


def consent_covers(*, user, client: Client, scope: str) -> bool:
    """Has ``user`` already consented to ``client`` having every scope in ``scope``?"""
    wanted = set(scope_defs.parse(scope))
    return any(wanted <= set(c.split()) for c in
               Consent.objects.filter(user=user, client=client).values_list("scope", flat=True))


def access_token(value: str) -> Token | None:
    """The valid (unexpired, unrevoked, client active) token with this value, else None."""
    if not value:
        return None
    token = Token.objects.select_related("client", "user").filter(access_digest=digest(value.strip())).first()
    return token if token is not None and token.is_valid() else None


def bearer_value(request) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def clients_for(actor):
    """Clients the actor may manage: all of them (the permission is platform-wide)."""
    return Client.objects.select_related("created_by").order_by("name")


def access_client(actor, client_id: str) -> Client | None:
    return Client.objects.filter(client_id=client_id).first()
