"""The data sharing platform: the resource catalogue, local datasets and their records, sharing
agreements, the append-only access record, the provenance of fetched application materials,
discrepancies with shared data (Art. 9) and requests for fetchable materials (Art. 8).

Subject keys (resident ID numbers, credit codes) are never stored in clear: records and access rows
carry a keyed SM3-HMAC blind index (``keys.subject_index``) and a masked form for display; lookups go
by that index. The records' contents (names, birth dates, addresses …), the copies fetched for
applications and the values of discrepancies are stored encrypted (``crypto.dbfields``).
``sharing`` knows applications and materials of the ``cases`` app by foreign key but adds nothing
to that app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govhall.crypto.dbfields import EncryptedJSONField, EncryptedTextField

from .codes import Classification, ProviderKind, ShareClass, SubjectKind, UpdateFrequency


class DataResource(models.Model):
    """One resource of the catalogue (e.g. 户籍信息), provided by one organ, locally or by a peer.

    ``fields``: ``[{name, label_zh, label_en, type: text|date|number|bool, required, form_field}]``;
    ``form_field`` names the application form field compared with it for Art. 9 (optional).
    """

    code = models.CharField(_("resource code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    provider_organ = models.ForeignKey("catalog.Organ", on_delete=models.PROTECT, related_name="data_resources",
                                       verbose_name=_("provider organ"))
    fields = models.JSONField(_("fields"), default=list)
    share_class = models.CharField(_("share class"), max_length=15, choices=ShareClass.choices)
    classification = models.CharField(_("classification level"), max_length=1, choices=Classification.choices,
                                      default=Classification.INTERNAL)
    legal_basis = models.TextField(_("legal basis"))
    update_frequency = models.CharField(_("update frequency"), max_length=10, choices=UpdateFrequency.choices,
                                        default=UpdateFrequency.DAILY)
    subject_kind = models.CharField(_("subject key"), max_length=15, choices=SubjectKind.choices)
    provider_kind = models.CharField(_("provider"), max_length=10, choices=ProviderKind.choices,
                                     default=ProviderKind.LOCAL)
    peer_code = models.CharField(_("peer code"), max_length=50, blank=True)
    current_dataset = models.ForeignKey("Dataset", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(provider_kind="local") | ~Q(peer_code=""),
                                   name="remote_resource_has_peer"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.fields]

    def label(self, english: bool) -> str:
        return (self.name_en or self.name) if english else self.name


class Dataset(models.Model):
    """One uploaded version of a local resource's data. The resource points at its current one."""

    resource = models.ForeignKey(DataResource, on_delete=models.PROTECT, related_name="datasets")
    version = models.PositiveIntegerField()
    filename = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    record_count = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["resource_id", "-version"]
        constraints = [models.UniqueConstraint(fields=["resource", "version"], name="dataset_version_unique")]

    def __str__(self) -> str:
        return f"{self.resource.code} v{self.version}"


class DataRecord(models.Model):
    """One subject's record in a dataset. A verified correction (Art. 9) adds a revision; only the
    current revision of a subject is answered."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="records")
    subject_index = models.CharField(max_length=64)
    subject_masked = models.CharField(max_length=30)
    data = EncryptedJSONField(default=dict, label="sharing.datarecord.data")
    revision = models.PositiveIntegerField(default=1)
    current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dataset", "subject_index"], condition=Q(current=True),
                                    name="one_current_record_per_subject"),
        ]
        indexes = [models.Index(fields=["dataset", "subject_index"], name="datarecord_lookup")]

    def __str__(self) -> str:
        return f"{self.subject_masked} r{self.revision}"

    @property
    def version_label(self) -> str:
        return f"{self.dataset.version}.{self.revision}"


class SharingAgreement(models.Model):
    """Access to a conditional resource: requested by an organ (or a peer system), approved by the
    provider organ for named fields until an expiry date."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("awaiting the provider's decision")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")
        REVOKED = "revoked", _("revoked")

    resource = models.ForeignKey(DataResource, on_delete=models.PROTECT, related_name="agreements")
    requester_organ = models.ForeignKey("catalog.Organ", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", verbose_name=_("requesting organ"))
    requester_peer = models.CharField(_("requesting peer system"), max_length=50, blank=True)
    fields = models.JSONField(_("fields"), default=list)
    purpose = models.TextField(_("purpose"))
    legal_basis = models.TextField(_("legal basis"))
    valid_until = models.DateField(_("valid until"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(requester_organ__isnull=False) | ~Q(requester_peer=""),
                                   name="agreement_has_requester"),
        ]
        indexes = [models.Index(fields=["resource", "requester_organ", "state"], name="agreement_lookup")]

    def __str__(self) -> str:
        return f"{self.resource.code} → {self.requester_organ or self.requester_peer}"

    @property
    def requester_label(self) -> str:
        return str(self.requester_organ) if self.requester_organ_id else f"peer:{self.requester_peer}"


class AccessOutcome(models.TextChoices):
    GRANTED = "granted", _("answered")
    REFUSED = "refused", _("refused")
    NOT_FOUND = "not_found", _("no record for the subject")
    UNAVAILABLE = "unavailable", _("provider not available")


class AccessRecord(models.Model):
    """Append-only: every request for shared data, answered or refused, with who asked, for which
    case, material and purpose, on which legal basis. Rows are never updated or deleted."""

    at = models.DateTimeField(db_index=True)
    resource = models.ForeignKey(DataResource, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resource_code = models.CharField(max_length=50)
    resource_name = models.CharField(max_length=150)
    provider_organ = models.ForeignKey("catalog.Organ", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    provider_label = models.CharField(max_length=150)
    requester_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    requester_organ = models.ForeignKey("catalog.Organ", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    requester_peer = models.CharField(max_length=50, blank=True)
    requester_label = models.CharField(max_length=150)
    subject_kind = models.CharField(max_length=15, blank=True)
    subject_index = models.CharField(max_length=64, blank=True, db_index=True)
    subject_masked = models.CharField(max_length=30, blank=True)
    fields = models.JSONField(default=list)
    purpose = models.TextField(blank=True)
    legal_basis = models.TextField(blank=True)
    case_number = models.CharField(max_length=60, blank=True)
    application = models.ForeignKey("cases.Application", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    material = models.ForeignKey("catalog.Material", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    agreement = models.ForeignKey(SharingAgreement, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    outcome = models.CharField(max_length=12, choices=AccessOutcome.choices)
    reason_code = models.CharField(max_length=60, blank=True)
    reason = models.TextField(blank=True)
    version = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["subject_index", "-at"], name="access_by_subject"),
                   models.Index(fields=["provider_organ", "-at"], name="access_by_provider")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.resource_code} {self.outcome}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("access records are append-only")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("access records are append-only")


class MaterialFetch(models.Model):
    """Provenance of one application material fetched for the applicant (once-only, Art. 8)."""

    class State(models.TextChoices):
        FETCHED = "fetched", _("fetched, waiting for your confirmation")
        CONFIRMED = "confirmed", _("confirmed by the applicant")
        DECLINED = "declined", _("declined: the applicant uploads instead")
        UNAVAILABLE = "unavailable", _("not available now: please upload instead")

    application_material = models.OneToOneField("cases.ApplicationMaterial", on_delete=models.CASCADE,
                                                related_name="sharing_fetch")
    state = models.CharField(max_length=12, choices=State.choices)
    source = models.CharField(max_length=12, help_text="shared_data or e_licence")
    resource_code = models.CharField(max_length=50)
    resource_name = models.CharField(max_length=150)
    provider_label = models.CharField(max_length=150, blank=True)
    version = models.CharField(max_length=120, blank=True, help_text="dataset version.revision or licence id")
    fetched_at = models.DateTimeField()
    record = EncryptedJSONField(default=dict, blank=True, label="sharing.materialfetch.record",
                                help_text="the fetched data, as shown to the applicant")
    labels = models.JSONField(default=dict, blank=True, help_text="field name → [zh, en] label")
    credibility = models.CharField(max_length=1, blank=True, help_text="A for data fetched from the source")
    access = models.ForeignKey(AccessRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    data_record = models.ForeignKey(DataRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason_code = models.CharField(max_length=60, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.resource_code} {self.state}"

    @property
    def usable(self) -> bool:
        return self.state in (self.State.FETCHED, self.State.CONFIRMED)

    def rows(self, english: bool = False) -> list[tuple[str, str]]:
        out = []
        for name, value in self.record.items():
            label = self.labels.get(name, [name, name])
            out.append((label[1] if english else label[0], "" if value is None else str(value)))
        return out


class Discrepancy(models.Model):
    """Submitted data differs from the shared record (Art. 9): the provider organ verifies."""

    class State(models.TextChoices):
        OPEN = "open", _("to verify")
        CORRECTED = "corrected", _("source record corrected")
        DISMISSED = "dismissed", _("dismissed")

    resource = models.ForeignKey(DataResource, on_delete=models.PROTECT, related_name="discrepancies")
    record = models.ForeignKey(DataRecord, on_delete=models.PROTECT, related_name="discrepancies")
    application = models.ForeignKey("cases.Application", on_delete=models.PROTECT, related_name="+")
    case_number = models.CharField(max_length=60, blank=True)
    field = models.CharField(max_length=60)
    shared_value = EncryptedTextField(blank=True, label="sharing.discrepancy.shared_value")
    submitted_value = EncryptedTextField(blank=True, label="sharing.discrepancy.submitted_value")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    found_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    new_record = models.ForeignKey(DataRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["state", "-found_at", "-pk"]
        indexes = [models.Index(fields=["resource", "state"], name="discrepancy_queue")]

    def __str__(self) -> str:
        return f"{self.resource.code} {self.field} ({self.state})"


class FetchableRequest(models.Model):
    """An officer tried to ask the applicant for a material that can be fetched: a possible Art. 8
    violation, kept for supervision (the correction notice itself was refused)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    material = models.ForeignKey("catalog.Material", on_delete=models.PROTECT, related_name="+")
    organ = models.ForeignKey("catalog.Organ", on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    at = models.DateTimeField()
    problem = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.material_id}"
