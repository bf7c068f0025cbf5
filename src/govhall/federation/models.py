"""Federation: trusted peer nodes, their keys, the append-only message log, replay guard, breakers.

This node's own identity is configuration (``GOVHALL_NODE_*``) plus its SM2 key in the key store
(purpose ``federation.node``); peers are rows here, changed only by ``services`` (audited).
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govhall.crypto.dbfields import EncryptedBinaryField

NODE_CODE_RE = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
node_code_validator = RegexValidator(NODE_CODE_RE, _("letters, digits, '.', '_' and '-' (at most 64)"))


class Peer(models.Model):
    """Another GovHall node this node trusts: it may call us, and we call it.

    ``issuer_prefixes``: credit-code prefixes of the licence issuers this peer is authoritative
    for (mutual recognition asks this peer about their licences). ``root_ca_pem``: the peer's
    platform CA certificate, a trust anchor for its sealed documents (optional).
    """

    code = models.CharField(_("node code"), max_length=64, unique=True, validators=[node_code_validator])
    name = models.CharField(_("name"), max_length=200)
    base_url = models.URLField(_("base URL"), max_length=300)
    enabled = models.BooleanField(_("enabled"), default=True)
    issuer_prefixes = models.JSONField(_("licence issuer prefixes"), default=list, blank=True)
    root_ca_pem = models.TextField(_("root CA certificate"), blank=True)
    root_ca_fingerprint = models.CharField(max_length=64, blank=True, help_text="SM3 of the certificate DER, hex")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class PeerKey(models.Model):
    """One SM2 public key of a peer (SubjectPublicKeyInfo PEM), named by the peer's key id.

    A peer that rotates its key sends a new descriptor; old keys stay (marked revoked when the
    peer says they must no longer be accepted)."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="keys")
    key_id = models.CharField(max_length=64)
    public_key_pem = models.TextField()
    fingerprint = models.CharField(max_length=64, help_text="SM3 of the SubjectPublicKeyInfo DER, hex")
    added_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["peer", "-added_at"]
        constraints = [models.UniqueConstraint(fields=["peer", "key_id"], name="federation_peerkey_unique")]

    def __str__(self) -> str:
        return f"{self.peer.code} {self.key_id}"


class MessageLog(models.Model):
    """Evidence: every message this node sent or received, and every refusal, as signed bytes.

    ``signed_bytes`` is exactly what the signature covers (the canonical JSON of the message);
    ``raw`` is the HTTP body as received or sent. Both hold subject keys and shared records, so
    both are stored encrypted (the model reads them in clear). Rows are never updated or deleted
    (``save`` refuses updates; ``delete`` refuses)."""

    class Direction(models.TextChoices):
        IN = "in", pgettext_lazy("federation message", "received")
        OUT = "out", pgettext_lazy("federation message", "sent")

    class Kind(models.TextChoices):
        REQUEST = "request", pgettext_lazy("federation message", "request")
        RESPONSE = "response", pgettext_lazy("federation message", "response")

    class Outcome(models.TextChoices):
        OK = "ok", pgettext_lazy("federation message", "answered")
        ERROR = "error", pgettext_lazy("federation message", "error answer")
        REFUSED = "refused", pgettext_lazy("federation message", "refused")
        FAILED = "failed", pgettext_lazy("federation message", "not delivered")

    direction = models.CharField(max_length=3, choices=Direction.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    peer = models.CharField(max_length=64, blank=True, help_text="the other node's code as claimed")
    message_id = models.CharField(max_length=64, blank=True)
    in_reply_to = models.CharField(max_length=64, blank=True)
    operation = models.CharField(max_length=64, blank=True)
    case_number = models.CharField(max_length=60, blank=True)
    purpose = models.CharField(max_length=500, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=64, blank=True, help_text="refusal or error code")
    detail = models.CharField(max_length=500, blank=True)
    # the messages carry subject keys and shared records: encrypted at rest (crypto.dbfields)
    signed_bytes = EncryptedBinaryField(null=True, blank=True, label="federation.messagelog.signed_bytes")
    signature = models.BinaryField(null=True, blank=True, help_text="SM2 signature, DER")
    key_id = models.CharField(max_length=64, blank=True)
    digest = models.CharField(max_length=64, blank=True, help_text="SM3 of signed_bytes, hex")
    raw = EncryptedBinaryField(null=True, blank=True, label="federation.messagelog.raw")
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["peer", "message_id"], name="federation_log_peer_msg"),
                   models.Index(fields=["case_number"], name="federation_log_case")]

    def __str__(self) -> str:
        return f"{self.direction} {self.kind} {self.peer} {self.message_id} {self.outcome}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("the federation message log is append-only")
        kwargs["force_insert"] = True
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("the federation message log is append-only")


class ReceivedMessage(models.Model):
    """Replay guard: message ids accepted from each sender within the clock-skew window."""

    sender = models.CharField(max_length=64)
    message_id = models.CharField(max_length=64)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sender", "message_id"], name="federation_received_unique")]

    def __str__(self) -> str:
        return f"{self.sender} {self.message_id}"


class Breaker(models.Model):
    """Circuit breaker state per peer, shared by every process through the database.

    closed: calls go through; ``failures`` counts consecutive failed calls. open: ``open_until`` in
    the future, calls fail at once. When it has passed, one caller takes the trial (half-open) by
    moving ``open_until`` forward; its success closes the breaker, its failure opens it again."""

    peer = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    open_until = models.DateTimeField(null=True, blank=True)
    last_failure = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.peer}: {self.failures} failures"
