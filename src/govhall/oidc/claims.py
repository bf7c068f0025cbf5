"""What an ID token and the userinfo endpoint say about a person, per scope.

The identity context is authoritative (``govhall.identity.selectors.trust_level`` and
``oidc_claims``): ``trust_level`` is the province's real-name level (2–5, DOMAIN.md §6), or 0 for
an account without a real-name identity (e.g. staff); ``name`` is the person's real name;
``id_masked`` adds ``id_type`` and ``id_number_masked``. If that module is missing (it is written
in parallel), an account is reported at level 2 (format checked only), ``name`` is the display
name and ``id_masked`` adds nothing.
"""

from __future__ import annotations

from . import scopes as scope_defs

FALLBACK_TRUST_LEVEL = 2

# Every claim the provider issues, in the ID token or from userinfo; discovery lists exactly these.
# (``id_masked`` is a scope, not a claim: it releases ``id_type`` and ``id_number_masked``.)
ID_TOKEN_CLAIMS = ("iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash")
PERSON_CLAIMS = ("sub", "trust_level", "name", "id_type", "id_number_masked")
SUPPORTED = (PERSON_CLAIMS[0], *ID_TOKEN_CLAIMS, *PERSON_CLAIMS[1:])


def subject(user) -> str:
    """The stable subject identifier: the account's number on this platform (public subject type)."""
    return str(user.pk)


def trust_level(user) -> int:
    try:
        from govhall.identity.selectors import trust_level as identity_trust_level
    except (ImportError, AttributeError):
        return FALLBACK_TRUST_LEVEL
    return int(identity_trust_level(user))


def _identity_claims(user, scopes: list[str]) -> dict | None:
    try:
        from govhall.identity.selectors import oidc_claims
    except (ImportError, AttributeError):
        return None
    return dict(oidc_claims(user, set(scopes)) or {})


def display_name(user) -> str:
    return user.display_name or user.get_full_name() or user.get_username()


def user_claims(user, scope: str) -> dict:
    """Claims about ``user`` released for ``scope`` (space-separated): ``sub`` always, the rest by scope."""
    scopes = scope_defs.parse(scope)
    identity = _identity_claims(user, scopes)
    claims: dict = {"sub": subject(user)}
    if identity is None:  # identity context not there yet
        if scope_defs.OPENID in scopes:
            claims["trust_level"] = FALLBACK_TRUST_LEVEL
        if scope_defs.PROFILE in scopes:
            claims["name"] = display_name(user)
        return claims
    if scope_defs.OPENID in scopes:
        claims["trust_level"] = int(identity.get("trust_level", FALLBACK_TRUST_LEVEL))
    if scope_defs.PROFILE in scopes:
        claims["name"] = identity.get("name") or display_name(user)
    if scope_defs.ID_MASKED in scopes:
        for key, value in identity.items():
            claims.setdefault(key, value)  # never overrides sub
    return claims
