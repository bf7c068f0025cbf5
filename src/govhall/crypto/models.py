"""The key store: SM2 key pairs by purpose, private keys encrypted at rest (see keystore.py)."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

purpose_validator = RegexValidator(r"^[a-z][a-z0-9_.]{1,39}$", _("lower-case letters, digits, '_' and '.'"))


class KeyPair(models.Model):
    """One SM2 key pair. At most one active key per purpose signs; retired keys still verify.

    ``private_key_wrapped`` is the PKCS#8 DER encrypted by the key wrapper (SM4-GCM under the master
    key by default) with the key id as associated data, so a blob copied to another row does not open.
    """

    class State(models.TextChoices):
        ACTIVE = "active", _("active")
        RETIRED = "retired", _("retired")

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
