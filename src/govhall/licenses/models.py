"""Electronic licences: licence types (证照目录), licences, their events and the holder's share links.

Holder resident ID numbers are stored only as SM4-GCM ciphertext with a keyed blind index
(govhall.crypto.fields, as identity does) and a masked form; credit codes are public and stored as
given. ``licenses`` knows a case only by its number (``case_number``) and never imports ``cases``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govhall.crypto.fields import open_

from . import policy

HOLDER_CODE_FIELD = "licenses.licence.holder_code"
FACE_TYPES = ("text", "date", "number")


class HolderKind(models.TextChoices):
    PERSON = "person", _("natural person")
    LEGAL_PERSON = "legal_person", _("legal person")


class HolderCodeType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("resident identity card number")
    CREDIT_CODE = "credit_code", _("unified social credit code")


class LicenceStatus(models.TextChoices):
    VALID = "valid", pgettext_lazy("licence status", "valid")
    SUSPENDED = "suspended", pgettext_lazy("licence status", "suspended")
    REVOKED = "revoked", pgettext_lazy("licence status", "revoked")
    EXPIRED = "expired", pgettext_lazy("licence status", "expired")
    REPLACED = "replaced", pgettext_lazy("licence status", "replaced by a newer version")


class LicenceType(models.Model):
    """A kind of licence (证照类型): its code, holder kind, face fields (照面) and validity rule.

    ``face_schema``: list of ``{name, label_zh, label_en, type: text|date|number, required, public}``;
    ``public`` fields are disclosed on public verification by default. ``template`` names the
    rendering template; a type without one cannot be issued.
    """

    type_code = models.CharField(_("type code"), max_length=21, unique=True)
    name = models.CharField(_("name"), max_length=100)
    holder_kind = models.CharField(_("holder kind"), max_length=20, choices=HolderKind.choices)
    face_schema = models.JSONField(_("face fields"), default=list)
    validity_years = models.PositiveSmallIntegerField(_("validity in years"), null=True, blank=True,
                                                      help_text="empty: no expiry")
    template = models.CharField(_("template"), max_length=100, blank=True)
    defining_organ = models.ForeignKey("catalog.Organ", on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("defining organ"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["type_code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.type_code}）"

    def field(self, name: str) -> dict | None:
        return next((f for f in self.face_schema if f.get("name") == name), None)

    @property
    def public_fields(self) -> list[str]:
        """Fields disclosed on public verification by default (in full or masked, see ``disclosure``)."""
        return [f["name"] for f in self.face_schema if disclosure(f) in (PUBLIC, MASKED)]


PUBLIC, MASKED, PRIVATE, HIDDEN = "public", "masked", "private", "hidden"
DISCLOSURES = (PUBLIC, MASKED, PRIVATE, HIDDEN)
FORM_PREFIX = "licence_"  # an application form's field for face field ``x`` is ``licence_x``


def disclosure(field: dict) -> str:
    """One policy per face field, applied alike on the verification page, the API and share links:
    ``public`` (shown), ``masked`` (shown masked: 张*, 六安市金****), ``private`` (not shown unless the
    holder shares it with a link) or ``hidden`` (never shown to anyone but the holder). Schemas
    written before the policy say ``public: true/false`` (public / private)."""
    value = field.get("disclosure")
    if value in DISCLOSURES:
        return value
    return PUBLIC if field.get("public") else PRIVATE


def mask_value(value) -> str:
    """Keep the first character (a name's surname) or, for longer text, the first third; star the rest."""
    text = str(value or "")
    if len(text) <= 4:
        return text[:1] + "*" * max(1, len(text) - 1) if text else ""
    keep = max(1, len(text) // 3)
    return text[:keep] + "*" * 4


class LicenceQuerySet(models.QuerySet):
    def for_actor(self, actor) -> LicenceQuerySet:
        """The licences ``actor`` manages (licenses/policy.py): every licence for the system actor, the
        licences of the organs where the actor is an approver otherwise, none for anyone else. The
        life-cycle services read licences through this, so another organ's licence is not found."""
        return self.filter(policy.licences_q(actor))


class Licence(models.Model):
    identifier = models.CharField(_("identifier"), max_length=120, unique=True)
    licence_type = models.ForeignKey(LicenceType, on_delete=models.PROTECT, related_name="licences",
                                     verbose_name=_("licence type"))
    serial = models.CharField(_("serial"), max_length=32)
    version = models.PositiveSmallIntegerField(_("version"))
    issuer = models.ForeignKey("catalog.Organ", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("issuing organ"))
    holder_name = models.CharField(_("holder"), max_length=200)
    holder_code_type = models.CharField(max_length=20, choices=HolderCodeType.choices)
    holder_code_cipher = models.BinaryField(null=True, blank=True)
    holder_code_key_version = models.PositiveSmallIntegerField(null=True, blank=True)
    holder_code_index = models.CharField(max_length=64, db_index=True)
    holder_code_shown = models.CharField(_("holder code"), max_length=30,
                                         help_text="masked resident ID, or the credit code in full")
    holder_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="licences")
    face = models.JSONField(_("face fields"), default=dict)
    issued_on = models.DateField(_("issued on"))
    issued_at = models.DateTimeField(default=timezone.now)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=LicenceStatus.choices,
                              default=LicenceStatus.VALID)
    status_changed_at = models.DateTimeField(default=timezone.now)
    replaced_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="replaces")
    case_number = models.CharField(_("case number"), max_length=60, blank=True)
    face_salt = models.CharField(max_length=32, blank=True, help_text="128 random bits (hex) keying the face "
                                 "commitment in the public log; empty for licences issued before it existed")
    log_index = models.BigIntegerField(null=True, blank=True, help_text="transparency log entry of the issue")
    document_sha256 = models.CharField(max_length=64, blank=True, help_text="rendered document (later step)")

    objects = LicenceQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["licence_type", "issuer", "serial", "version"],
                                    name="licence_serial_version_unique"),
            models.CheckConstraint(condition=models.Q(valid_until__isnull=True)
                                   | models.Q(valid_until__gte=models.F("valid_from")),
                                   name="licence_validity_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.licence_type.name} {self.identifier}"

    def reveal_holder_code(self) -> str:
        """The holder code in clear: for sharing with the holder's consent only, never for display."""
        if self.holder_code_type == HolderCodeType.CREDIT_CODE:
            return self.holder_code_shown
        return open_(bytes(self.holder_code_cipher), self.holder_code_key_version, HOLDER_CODE_FIELD)

    @property
    def version_code(self) -> str:
        return f"{self.version:03d}"

    def effective_status(self, today: dt.date | None = None) -> str:
        """The status as of ``today``: a valid licence past its end date is expired even before the
        periodic job has recorded it."""
        today = today or timezone.localdate()
        if self.status == LicenceStatus.VALID and self.valid_until and self.valid_until < today:
            return LicenceStatus.EXPIRED
        return self.status


class LicenceEvent(models.Model):
    class Kind(models.TextChoices):
        ISSUED = "issued", pgettext_lazy("licence event", "issued")
        SUSPENDED = "suspended", _("suspended")
        REINSTATED = "reinstated", _("reinstated")
        REVOKED = "revoked", pgettext_lazy("licence event", "revoked")
        EXPIRED = "expired", pgettext_lazy("licence event", "expired")
        REPLACED = "replaced", pgettext_lazy("licence event", "replaced")

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    log_index = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.licence.identifier} {self.kind}"


class LicenceSerial(models.Model):
    """The last sequence number used per issuer, licence type and year (serial = year + 7 digits)."""

    issuer_code = models.CharField(max_length=18)
    type_code = models.CharField(max_length=21)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issuer_code", "type_code", "year"],
                                               name="licence_serial_counter_unique")]

    def __str__(self) -> str:
        return f"{self.issuer_code} {self.type_code} {self.year} #{self.last}"


class ShareLink(models.Model):
    """A time-limited verification link by which the holder discloses chosen face fields."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="share_links")
    token = models.CharField(max_length=64, unique=True)
    fields = models.JSONField(default=list)
    expires_at = models.DateTimeField(_("expires at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"share {self.licence.identifier} until {self.expires_at:%Y-%m-%d %H:%M}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def active_at(self, moment: dt.datetime) -> bool:
        return not self.revoked and moment < self.expires_at
