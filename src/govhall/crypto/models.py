"""The key store: SM2 key pairs by purpose, private keys encrypted at rest (see keystore.py)."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govhall.core.actors import is_system

from . import policy

purpose_validator = RegexValidator(r"^[a-z][a-z0-9_.]{1,39}$", _("lower-case letters, digits, '_' and '.'"))


class KeyPair(models.Model):
    """One SM2 key pair. At most one active key per purpose signs; retired keys still verify.

    ``private_key_wrapped`` is the PKCS#8 DER encrypted by the key wrapper (SM4-GCM under the master
    key by default) with the key id as associated data, so a blob copied to another row does not open.
    """

    class State(models.TextChoices):
        ACTIVE = "active", _("active")
        RETIRED = "retired", pgettext_lazy("signing key", "retired")

    key_id = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=40, validators=[purpose_validator],
                               help_text=_("what the key signs, e.g. licenses.certificate"))
    algorithm = models.CharField(max_length=10, default="SM2", editable=False)
    public_key_der = models.BinaryField(help_text="SubjectPublicKeyInfo DER")
    fingerprint = models.CharField(max_length=64, help_text="SM3 of the SubjectPublicKeyInfo DER, hex")
    private_key_wrapped = models.BinaryField(editable=False)
    wrap_version = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["purpose", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["purpose"], condition=Q(state="active"),
                                    name="crypto_keypair_one_active_per_purpose"),
            models.CheckConstraint(
                condition=Q(state="active", retired_at__isnull=True) | Q(state="retired", retired_at__isnull=False),
                name="crypto_keypair_retired_at_iff_retired"),
        ]

    def __str__(self) -> str:
        return self.key_id


class MasterKeyCheck(models.Model):
    """Single row: the key-check value (KCV) of the master key this database's encrypted data is
    under, ``HMAC-SM3(master key, "govhall-kcv")`` in hex. It reveals nothing of the key; it lets an
    instance refuse to start with a wrong or missing master key instead of failing later, or
    generating a new key over encrypted data (see keycheck.py)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"KCV {self.value[:8]}…"


# --- certificate authority (see ca.py, x509.py) ---------------------------------------------------


class Certificate(models.Model):
    """An X.509 certificate issued by the platform CA (the root is its own issuer, ``issuer`` null).

    The DER is the certificate; the other columns are copies for lookups. Revocation is recorded
    here and published in the next CRL (``CertificateRevocationList``)."""

    class Usage(models.TextChoices):
        CA = "ca", _("certificate authority")
        SEAL = "seal", _("electronic seal")
        SIGNER = "signer", _("signer")
        TLS = "tls", _("TLS")

    serial = models.CharField(max_length=40, unique=True, help_text=_("serial number, lower-case hex"))
    subject_cn = models.CharField(max_length=200)
    subject = models.CharField(max_length=500, blank=True)
    key_id = models.CharField(max_length=64, help_text=_("key store id of the subject key"))
    purpose = models.CharField(max_length=40, help_text=_("key store purpose of the subject key"))
    usage = models.CharField(max_length=10, choices=Usage.choices)
    der = models.BinaryField()
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    issuer = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="issued")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(revoked_at__isnull=True, revocation_reason="")
                                   | Q(revoked_at__isnull=False) & ~Q(revocation_reason=""),
                                   name="crypto_certificate_revocation_complete"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_cn} ({self.serial})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class CertificateRevocationList(models.Model):
    """A CRL as issued (DER); the highest number is the current one."""

    number = models.PositiveIntegerField(unique=True)
    der = models.BinaryField()
    this_update = models.DateTimeField()
    next_update = models.DateTimeField()
    issuer = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="crls")

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"CRL #{self.number}"


# --- electronic seals (see seals.py; GB/T 38540) -------------------------------------------------


class SealQuerySet(models.QuerySet):
    def for_actor(self, actor) -> SealQuerySet:
        """The seals ``actor`` manages (crypto/policy.py): all for the system actor, those of the organs
        where the actor is a security administrator otherwise, none for anyone else. Services and
        selectors read seals through this, so another organ's seal is simply not found."""
        if is_system(actor):
            return self.all()
        return self.filter(organ_id__in=policy.managed_organs(actor))


class Seal(models.Model):
    """An organ's electronic seal: its SM2 key (key store purpose ``key_purpose``), its certificate
    and the GB/T 38540 SESeal DER made (signed) by the platform CA."""

    class SealType(models.IntegerChoices):
        ORGAN = 1, _("organ seal")
        PERSONAL = 2, _("personal seal")

    class State(models.TextChoices):
        ACTIVE = "active", _("active")
        REVOKED = "revoked", pgettext_lazy("seal", "revoked")

    organ = models.ForeignKey("catalog.Organ", on_delete=models.PROTECT, related_name="seals")
    seal_id = models.CharField(max_length=40, unique=True, help_text=_("esID of the SESeal (ASCII)"))
    seal_type = models.PositiveSmallIntegerField(choices=SealType.choices, default=SealType.ORGAN)
    name = models.CharField(max_length=100)
    key_purpose = models.CharField(max_length=40, unique=True, validators=[purpose_validator])
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="seals")
    eseal_der = models.BinaryField(help_text="GB/T 38540 SESeal DER")
    picture = models.BinaryField(help_text="PNG")
    width_mm = models.PositiveSmallIntegerField(default=40)
    height_mm = models.PositiveSmallIntegerField(default=40)
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = SealQuerySet.as_manager()

    class Meta:
        ordering = ["organ_id", "seal_id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.seal_id})"


class SealAuthorisation(models.Model):
    """A staff member allowed to use a seal; ``revoked_at`` ends it (rows are kept for the record)."""

    seal = models.ForeignKey(Seal, on_delete=models.PROTECT, related_name="authorisations")
    user = models.ForeignKey("identity.User", on_delete=models.PROTECT, related_name="seal_authorisations")
    granted_by = models.ForeignKey("identity.User", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["seal_id", "-granted_at"]
        constraints = [
            models.UniqueConstraint(fields=["seal", "user"], condition=Q(revoked_at__isnull=True),
                                    name="crypto_sealauthorisation_one_live_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.seal_id}"
