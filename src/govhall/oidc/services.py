"""Writes of the OpenID Connect provider. Each is atomic and records its audit event.

Audit codes: oidc.client.registered, oidc.consent.granted, oidc.key.rotated, oidc.code.reused,
oidc.token.pkce_failed.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from govhall.core import audit
from govhall.core.errors import DomainError, Problem

from . import keys
from . import scopes as scope_defs
from .models import AuthorizationCode, Client, Consent, Token, digest

LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}


def redirect_uri_problems(uris: list[str]) -> list[Problem]:
    """HTTPS only (plain HTTP for this machine, for development), absolute, no fragment."""
    problems = []
    for uri in uris:
        parts = urlsplit(uri)
        local_http = parts.scheme == "http" and (parts.hostname or "") in LOCAL_HOSTS
        if parts.scheme != "https" and not local_http:
            problems.append(Problem("oidc.redirect_uri.scheme", f"回调地址须使用 HTTPS：{uri}",
                                    f"redirect URI must use HTTPS: {uri}", "redirect_uris"))
        elif not parts.netloc or parts.fragment:
            problems.append(Problem("oidc.redirect_uri.invalid", f"回调地址无效：{uri}",
                                    f"invalid redirect URI: {uri}", "redirect_uris"))
    return problems


def _registration_problems(*, name, kind, redirect_uris, grant_types, scope_list) -> list[Problem]:
    problems = []
    if not name.strip():
        problems.append(Problem("oidc.client.name", "请填写平台名称", "the platform name is required", "name"))
    if kind not in Client.Kind.values:
        problems.append(Problem("oidc.client.kind", "客户端类型无效", "invalid client type", "kind"))
    if not grant_types or not set(grant_types) <= set(Client.Grant.values):
        problems.append(Problem("oidc.client.grant_types", "请选择授权方式", "choose the grant types", "grant_types"))
    if kind == Client.Kind.PUBLIC and Client.Grant.CLIENT_CREDENTIALS in grant_types:
        problems.append(Problem("oidc.client.public_credentials", "公开客户端不能使用客户端凭证方式",
                                "a public client cannot use client credentials", "grant_types"))
    if Client.Grant.AUTHORIZATION_CODE in grant_types and not redirect_uris:
        problems.append(Problem("oidc.client.redirect_uris", "授权码方式至少需要一个回调地址",
                                "the authorization code grant needs at least one redirect URI", "redirect_uris"))
    problems += redirect_uri_problems(redirect_uris)
    unknown = set(scope_list) - scope_defs.SCOPES.keys()
    if unknown or not scope_list:
        problems.append(Problem("oidc.client.scope", "授权范围无效", "invalid scopes", "scope"))
    if Client.Grant.AUTHORIZATION_CODE not in grant_types and set(scope_list) & scope_defs.PERSONAL_SCOPES:
        problems.append(Problem("oidc.client.personal_scope", "只有用户授权登录的平台才能申请个人信息范围",
                                "personal scopes need the authorization code grant", "scope"))
    return problems


@transaction.atomic
def client_register(*, actor, name: str, kind: str, redirect_uris: list[str], grant_types: list[str],
                    scope: list[str], client_id: str | None = None,
                    secret: str | None = None) -> tuple[Client, str | None]:
    """Register a platform as a client. Returns the client and its secret (None for public clients).

    The secret is returned only here and stored only as a digest. ``client_id`` and ``secret`` are
    generated unless given (the demo platform needs fixed ones). Audit: oidc.client.registered.
    Raises DomainError listing every problem (HTTPS redirect URIs, public clients without client
    credentials, personal scopes only with the authorization code grant).
    """
    problems = _registration_problems(name=name, kind=kind, redirect_uris=redirect_uris,
                                      grant_types=grant_types, scope_list=scope)
    if problems:
        raise DomainError(problems)
    secret = (secret or secrets.token_urlsafe(32)) if kind == Client.Kind.CONFIDENTIAL else None
    client = Client.objects.create(
        client_id=client_id or Client.new_client_id(), secret_digest=digest(secret) if secret else "", name=name.strip(),
        kind=kind, redirect_uris=list(dict.fromkeys(redirect_uris)), grant_types=sorted(set(grant_types)),
        scope=scope_defs.join(scope), created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(actor=actor, action="oidc.client.registered", target=client,
                 after={"client_id": client.client_id, "name": client.name, "kind": client.kind,
                        "redirect_uris": client.redirect_uris, "grant_types": client.grant_types,
                        "scope": client.scope})
    return client, secret


@transaction.atomic
def consent_grant(*, user, client: Client, scope: str) -> Consent:
    """Remember that ``user`` lets ``client`` have ``scope``. Audit: oidc.consent.granted (once per set)."""
    normalised = scope_defs.join(scope.split())
    consent, created = Consent.objects.get_or_create(user=user, client=client, scope=normalised)
    if created:
        audit.record(actor=user, action="oidc.consent.granted", target=client, after={"scope": normalised})
    return consent


@transaction.atomic
def signing_key_rotate(*, actor) -> tuple[str, str]:
    """Make a new active ID-token signing key; the old one stays in JWKS. Audit: oidc.key.rotated.

    Raises RuntimeError when the key comes from the environment.
    """
    old, new = keys.rotate()
    audit.record(actor=actor, action="oidc.key.rotated", target_type="oidc.signingkey", target_id=new,
                 target_label=new, before={"kid": old}, after={"kid": new})
    return old, new


@transaction.atomic
def code_reuse_revoke(*, code: AuthorizationCode) -> int:
    """A used code was presented again: revoke every token issued for it (RFC 6749 §4.1.2).

    Audit: oidc.code.reused. Returns the number of tokens revoked.
    """
    revoked = Token.objects.filter(code=code, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record(actor=None, action="oidc.code.reused", target=code.client,
                 after={"code_id": code.pk, "user_id": code.user_id, "tokens_revoked": revoked})
    return revoked


@transaction.atomic
def pkce_failure_record(*, code: AuthorizationCode) -> None:
    """A code was presented with the wrong PKCE verifier. Audit: oidc.token.pkce_failed."""
    audit.record(actor=None, action="oidc.token.pkce_failed", target=code.client,
                 after={"code_id": code.pk, "user_id": code.user_id})
