"""Signed documents: sealed PDF notices, decisions and licences, and the platform's PAdES keys.

A ``SignedDocument`` is a rendered PDF (A4, embedded Chinese font, the organ's seal picture) that
carries two signatures:

- a PAdES signature inside the PDF (ECDSA P-256 / SHA-256, made with pyHanko by the platform's
  document-signing certificate, ``PadesKey`` role "signer", under the platform's ECDSA root), which
  ordinary PDF readers, pyHanko, pdfsig and OpenSSL can check;
- a GB/T 38540 ``SES_Signature`` (SM2/SM3, the organ's electronic seal, ``crypto.seals.seal_sign``)
  over the **final** PDF bytes, stored beside the PDF (``ses_der``).

The PDF is stored content-addressed (``cas/<sha256[0:2]>/<sha256[2:4]>/<sha256>``, the layout of
``cases.files``) through Django's default storage. See docs/documents.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PadesKey(models.Model):
    """An ECDSA P-256 key and its X.509 certificate for PAdES: the platform's document-signing root
    (self-signed) or the document-signing certificate it issued. The private key is PKCS#8 DER
    wrapped by ``crypto.master.key_wrapper()`` (SM4-GCM under the master key by default) with the
    key id as associated data, exactly as the SM2 key store wraps its keys. At most one active key
    per role."""

    class Role(models.TextChoices):
        ROOT = "root", _("document-signing root")
        SIGNER = "signer", _("document signer")

    key_id = models.CharField(max_length=64, unique=True)
    role = models.CharField(max_length=10, choices=Role.choices)
    algorithm = models.CharField(max_length=20, default="ECDSA-P256", editable=False)
    certificate_der = models.BinaryField()
    serial = models.CharField(max_length=40, help_text=_("certificate serial number, lower-case hex"))
    subject = models.CharField(max_length=300)
    private_key_wrapped = models.BinaryField(editable=False)
    wrap_version = models.PositiveSmallIntegerField()
    issuer = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="issued")
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["role", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["role"], condition=Q(active=True), name="documents_padeskey_one_active"),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.key_id}"


class SignedDocument(models.Model):
    class Kind(models.TextChoices):
        ACCEPTANCE_NOTICE = "acceptance_notice", pgettext_lazy("signed document", "acceptance notice")
        NON_ACCEPTANCE_NOTICE = "non_acceptance_notice", pgettext_lazy("signed document", "non-acceptance notice")
        CORRECTION_NOTICE = "correction_notice", pgettext_lazy("signed document", "correction notice")
        SPECIAL_PROCEDURE_NOTICE = "special_procedure_notice", pgettext_lazy("signed document", "special procedure notice")
        DECISION = "decision", pgettext_lazy("signed document", "decision")
        LICENCE = "licence", pgettext_lazy("signed document", "licence")

    class SealedBy(models.TextChoices):
        PLATFORM = "platform", _("the platform, on the organ's behalf")
        PERSON = "person", _("an authorised person")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    number = models.CharField(_("document number"), max_length=120, blank=True)
    title = models.CharField(_("title"), max_length=200)
    organ = models.ForeignKey("catalog.Organ", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="signed_documents")
    licence = models.ForeignKey("licenses.Licence", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="documents")
    # the PDF, content-addressed
    storage_name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    sm3 = models.CharField(_("SM3 of the PDF"), max_length=64)
    filename = models.CharField(max_length=200)
    # the signatures
    pades_key = models.ForeignKey(PadesKey, on_delete=models.PROTECT, related_name="+",
                                  help_text="the document-signing certificate of the PAdES signature")
    seal = models.ForeignKey("crypto.Seal", on_delete=models.PROTECT, related_name="+")
    ses_der = models.BinaryField(help_text="GB/T 38540 SES_Signature DER over the PDF bytes")
    sealed_by = models.CharField(max_length=10, choices=SealedBy.choices)
    sealer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", help_text="the person who sealed (manual sealing only)")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", help_text="the user whose action produced the document")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "created_at"], name="signeddoc_case")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def signature_filename(self) -> str:
        return f"{self.filename}.ses"
