"""Accounts and staff roles; natural persons (real-name identity), legal persons and agent mandates.

Identifiers (ID numbers, phone numbers) are stored only as SM4-GCM ciphertext plus a keyed blind
index (govhall.crypto.fields); pages, logs and audit events show them masked. See docs/accounts.md.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govhall.crypto.fields import mask_identifier, open_

from .codes import Gender, IdType
from .roles import Role

ID_NUMBER_FIELD = "identity.person.id_number"
PHONE_FIELD = "identity.person.phone"


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    is_demo = models.BooleanField(default=False, help_text="demo account: can log in only in demo mode")

    def __str__(self) -> str:
        return self.display_name or self.username


class StaffRole(models.Model):
    """A role held by a staff member, scoped to one organ or to a region and everything below it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(max_length=30, choices=Role.choices)
    organ = models.ForeignKey("catalog.Organ", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("catalog.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organ__isnull=False) | models.Q(region__isnull=False),
                name="staffrole_has_scope",
            ),
            models.UniqueConstraint(fields=["user", "role", "organ", "region"], name="staffrole_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organ or self.region}"


class TrustLevel(models.IntegerChoices):
    """Real-name trust levels (DOMAIN.md §6). Items can require a minimum level."""

    FORMAT = 2, _("level 2: document number format checked")
    REGISTER = 3, _("level 3: name and ID number confirmed by the register")
    FACE = 4, _("level 4: real person matched by face check")
    CERTIFICATE = 5, _("level 5: digital certificate or in-person check")


class TrustMethod(models.TextChoices):
    FORMAT = "format", _("format check")
    POPULATION_REGISTER = "population_register", _("population register")
    LEGAL_PERSON_REGISTER = "legal_person_register", _("legal-person register")
    FACE = "face", _("face check")
    CERTIFICATE = "certificate", _("digital certificate")
    IN_PERSON = "in_person", _("in-person check")


class Person(models.Model):
    """A natural person's real-name identity, attached to one login account."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="person")
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    id_type = models.CharField(_("document type"), max_length=20, choices=IdType.choices)
    id_number_cipher = models.BinaryField()
    id_number_key_version = models.PositiveSmallIntegerField()
    id_number_index = models.CharField(max_length=64, db_index=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    division_code = models.CharField(_("division of issue"), max_length=6, blank=True)
    phone_cipher = models.BinaryField()
    phone_key_version = models.PositiveSmallIntegerField()
    phone_index = models.CharField(max_length=64, db_index=True)
    email = models.EmailField(_("email"), blank=True)
    trust_level = models.PositiveSmallIntegerField(_("trust level"), choices=TrustLevel.choices,
                                                   default=TrustLevel.FORMAT)
    trust_method = models.CharField(max_length=30, choices=TrustMethod.choices, default=TrustMethod.FORMAT)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["id_type", "id_number_index"], name="person_id_number_unique"),
            models.CheckConstraint(condition=models.Q(trust_level__gte=2, trust_level__lte=5),
                                   name="person_trust_level_2_to_5"),
        ]

    def __str__(self) -> str:
        return self.name

    def reveal_id_number(self) -> str:
        """The ID number in clear: for register checks only, never for display or logs."""
        return open_(self.id_number_cipher, self.id_number_key_version, ID_NUMBER_FIELD)

    def reveal_phone(self) -> str:
        return open_(self.phone_cipher, self.phone_key_version, PHONE_FIELD)

    @property
    def id_number_masked(self) -> str:
        return mask_identifier(self.reveal_id_number())

    @property
    def phone_masked(self) -> str:
        return mask_identifier(self.reveal_phone(), keep_start=3, keep_end=4)


class LegalPerson(models.Model):
    """A company or other organisation, registered by its legal representative."""

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    legal_representative = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="represents",
                                             verbose_name=_("legal representative"))
    region_code = models.CharField(_("registered region"), max_length=6)
    trust_level = models.PositiveSmallIntegerField(_("trust level"), choices=TrustLevel.choices,
                                                   default=TrustLevel.REGISTER)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(trust_level__gte=2, trust_level__lte=5),
                                   name="legalperson_trust_level_2_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.credit_code}）"


class AgentMandate(models.Model):
    """Authority granted by a legal representative to a person (经办人) to act for the legal person.

    Covers every item (``all_items``) or the listed implementation codes; in force from
    ``granted_at`` until ``expires_at`` or until revoked, whichever comes first.
    """

    legal_person = models.ForeignKey(LegalPerson, on_delete=models.PROTECT, related_name="mandates")
    agent = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="mandates",
                              verbose_name=_("agent"))
    all_items = models.BooleanField(_("all items"), default=False)
    item_codes = models.JSONField(_("implementation codes"), default=list, blank=True)
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(_("granted at"))
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("granted_at")),
                                   name="agentmandate_expires_after_grant"),
            models.CheckConstraint(condition=models.Q(revoked_at__isnull=True) | models.Q(revoked_by__isnull=False),
                                   name="agentmandate_revoked_by_someone"),
        ]

    def __str__(self) -> str:
        return f"{self.agent} → {self.legal_person.name}"

    def covers(self, item_code: str) -> bool:
        return self.all_items or item_code in (self.item_codes or [])

    def in_force_at(self, moment) -> bool:
        return self.granted_at <= moment < self.expires_at and not (self.revoked_at and self.revoked_at <= moment)
