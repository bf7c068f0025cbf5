"""Clients (other platforms), authorization codes, access tokens and remembered consent.

Secrets are never stored: client secrets, codes and access tokens are kept as SHA-256 digests
(they are long random strings, so a fast hash is enough) and shown only once.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import scopes as scope_defs


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class Client(models.Model):
    """A platform that signs its users in through GovHall, or calls the API as itself."""

    class Kind(models.TextChoices):
        CONFIDENTIAL = "confidential", _("confidential (server-side, keeps a secret)")
        PUBLIC = "public", _("public (app or browser, no secret; PKCE required)")

    class Grant(models.TextChoices):
        AUTHORIZATION_CODE = "authorization_code", _("authorization code (people sign in)")
        CLIENT_CREDENTIALS = "client_credentials", _("client credentials (the platform itself)")

    client_id = models.CharField(max_length=48, unique=True, editable=False)
    secret_digest = models.CharField(max_length=64, blank=True, editable=False)
    name = models.CharField(_("platform name"), max_length=100)
    kind = models.CharField(_("client type"), max_length=12, choices=Kind.choices)
    redirect_uris = models.JSONField(_("redirect URIs"), default=list, blank=True)
    grant_types = models.JSONField(_("grant types"), default=list)
    scope = models.CharField(_("allowed scopes"), max_length=200)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="confidential") | ~models.Q(secret_digest=""),
                name="oidc_client_confidential_has_secret",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def new_client_id() -> str:
        return secrets.token_urlsafe(18)

    @property
    def is_public(self) -> bool:
        return self.kind == self.Kind.PUBLIC

    # -- authlib ClientMixin -------------------------------------------------------------------
    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if len(self.redirect_uris) == 1 else None

    def get_allowed_scope(self, scope: str) -> str | None:
        """All requested scopes, if every one is allowed to this client; None (invalid_scope) if not."""
        requested = scope_defs.parse(scope)
        allowed = set(self.scope.split())
        if not set(requested) <= allowed:
            return None
        return " ".join(requested)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris  # exact match: no prefixes, no wildcards

    def check_client_secret(self, client_secret: str) -> bool:
        return bool(self.secret_digest) and secrets.compare_digest(self.secret_digest, digest(client_secret))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.is_public:
            return method == "none"
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and self.Grant.AUTHORIZATION_CODE in self.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        return self.is_active and grant_type in self.grant_types


class AuthorizationCode(models.Model):
    """A one-time code. Redeeming marks it used; a second redemption revokes its tokens."""

    code_digest = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    redirect_uri = models.CharField(max_length=500)
    scope = models.CharField(max_length=200)
    nonce = models.CharField(max_length=200, blank=True)
    code_challenge = models.CharField(max_length=128, blank=True)
    code_challenge_method = models.CharField(max_length=10, blank=True)
    auth_time = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["client", "nonce"], name="oidc_code_nonce")]

    def __str__(self) -> str:
        return f"code {self.pk} for {self.client}"

    # -- authlib AuthorizationCodeMixin ------------------------------------------------------------
    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce or None

    def get_auth_time(self) -> int:
        return int(self.auth_time.timestamp())

    def get_acr(self):
        return None

    def get_amr(self):
        return None


class Token(models.Model):
    """An access token: for a person (authorization code) or for a platform itself (user is null)."""

    access_digest = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    scope = models.CharField(max_length=200)
    code = models.ForeignKey(AuthorizationCode, null=True, blank=True, on_delete=models.SET_NULL, related_name="tokens")
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"token {self.pk} for {self.client}"

    @property
    def scopes(self) -> list[str]:
        return self.scope.split()

    def is_valid(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now and self.client.is_active


class Consent(models.Model):
    """A person's remembered consent for one client and one set of scopes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField(max_length=200)  # normalised: scopes.join()
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "client", "scope"], name="oidc_consent_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.client}: {self.scope}"
