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


def sign_in_callback(next_url: str) -> str:
    """If ``next_url`` (where a login page goes afterwards) is our authorization endpoint for an
    active client and one of its registered redirect URIs: that redirect URI, where the sign-in ends.
    Else "". The login pages allow its origin as a form redirect (core/csp.py)."""
    from urllib.parse import parse_qs, urlsplit

    from django.urls import reverse

    parts = urlsplit(next_url or "")
    if parts.path != reverse("oidc:authorize"):
        return ""
    query = parse_qs(parts.query)
    client = Client.objects.filter(client_id=query.get("client_id", [""])[0], is_active=True).first()
    if client is None:
        return ""
    redirect_uri = query.get("redirect_uri", [client.get_default_redirect_uri() or ""])[0]
    return redirect_uri if redirect_uri in client.redirect_uris else ""
