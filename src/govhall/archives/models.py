"""Electronic archives (GB/T 42727-2023, DA/T 70-2018): one archival information package (AIP) per
closed case, its preservation events, retention, disposal and legal holds.

An ``ArchivePackage`` is one version of a case's BagIt package, stored once (a ZIP object in the
archive storage, optionally a second copy). A rebuild for the same case makes a new version; the old
one is kept (``current`` marks the newest). ``PackageEvent`` rows are the PREMIS-like record of what
happened to a package: creation, sealing, logging, every four-property check, replication, drills,
disposal. Nothing here is ever updated to hide a failure: a failed check is one more event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RetentionPeriod(models.TextChoices):
    """The common retention periods (保管期限) of archives."""

    Y10 = "10y", _("10 years")
    Y30 = "30y", _("30 years")
    PERMANENT = "permanent", _("permanent")


RETENTION_YEARS = {RetentionPeriod.Y10: 10, RetentionPeriod.Y30: 30, RetentionPeriod.PERMANENT: None}


class RetentionRule(models.Model):
    """The retention period of the packages of one item type (catalogue item type code, e.g. "01"
    administrative licensing). Types without a rule are kept for ``GOVHALL_ARCHIVES_DEFAULT_RETENTION``
    (permanent unless configured): the platform never assumes a shorter period than an archivist set."""

    item_type = models.CharField(_("item type"), max_length=2, unique=True)
    period = models.CharField(_("retention period"), max_length=10, choices=RetentionPeriod.choices)
    note = models.CharField(_("basis or note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["item_type"]

    def __str__(self) -> str:
        return f"{self.item_type}: {self.period}"


class ArchivePackage(models.Model):
    class State(models.TextChoices):
        STORED = "stored", pgettext_lazy("archive package", "stored")
        DISPOSED = "disposed", pgettext_lazy("archive package", "destroyed after approval")

    class Check(models.TextChoices):
        PASSED = "passed", _("all checks passed")
        FAILED = "failed", _("a check failed")
        NONE = "none", _("not checked yet")

    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="archive_packages")
    case_number = models.CharField(_("case number"), max_length=43, db_index=True)
    version = models.PositiveIntegerField(_("version"))
    current = models.BooleanField(default=True, help_text="the newest version of the case's package")
    state = models.CharField(max_length=10, choices=State.choices, default=State.STORED)
    # what the package is about (copied from the case: searchable without opening the package)
    item_code = models.CharField(_("implementation code"), max_length=31)
    item_name = models.CharField(_("item"), max_length=200)
    item_type = models.CharField(_("item type"), max_length=2, blank=True)
    item_version = models.PositiveIntegerField(null=True, blank=True)
    organ = models.ForeignKey("catalog.Organ", on_delete=models.PROTECT, related_name="+")
    archiving_organ = models.ForeignKey("catalog.Organ", on_delete=models.PROTECT, related_name="+",
                                        help_text="the organ whose seal seals the package")
    applicant_masked = models.CharField(_("applicant"), max_length=200)
    applicant_index = models.CharField(max_length=64, db_index=True, blank=True,
                                       help_text="blind index of the applicant's name (exact search)")
    case_state = models.CharField(max_length=20)
    result_code = models.CharField(max_length=30, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # the stored package
    storage_name = models.CharField(max_length=300)
    copy_storage_name = models.CharField(max_length=300, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the stored ZIP")
    sm3 = models.CharField(max_length=64, help_text="SM3 of the stored ZIP")
    tagmanifest_sm3 = models.CharField(max_length=64, help_text="SM3 of tagmanifest-sm3.txt (what the seal covers)")
    payload_files = models.PositiveIntegerField(default=0)
    payload_bytes = models.PositiveBigIntegerField(default=0)
    seal = models.ForeignKey("crypto.Seal", on_delete=models.PROTECT, related_name="+")
    seal_der = models.BinaryField(help_text="GB/T 38540 SES_Signature over tagmanifest-sm3.txt")
    log_index = models.BigIntegerField(null=True, blank=True, help_text="transparency log entry of the package SM3")
    # retention and checks
    retention_period = models.CharField(max_length=10, choices=RetentionPeriod.choices)
    retain_until = models.DateField(null=True, blank=True, help_text="empty: permanent")
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    legal_hold_reason = models.CharField(max_length=300, blank=True)
    last_check = models.CharField(max_length=10, choices=Check.choices, default=Check.NONE)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    built_in_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    disposed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["case_number", "version"], name="archives_package_version_unique"),
            models.UniqueConstraint(fields=["case_number"], condition=Q(current=True),
                                    name="archives_package_one_current"),
        ]
        indexes = [models.Index(fields=["organ", "-created_at"], name="archives_pkg_organ"),
                   models.Index(fields=["item_code"], name="archives_pkg_item")]

    def __str__(self) -> str:
        return f"{self.case_number} v{self.version}"

    @property
    def bag_name(self) -> str:
        return f"{self.case_number}-v{self.version}"


class PackageEvent(models.Model):
    """A PREMIS-like event of a package: what (``event_type``, for checks ``check``), when, by which
    agent, with which outcome and detail. Append-only."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("success")
        FAILURE = "failure", _("failure")
        NOT_APPLICABLE = "not_applicable", _("not applicable")

    package = models.ForeignKey(ArchivePackage, on_delete=models.PROTECT, related_name="events")
    event_type = models.CharField(max_length=40, help_text="PREMIS event type: creation, message digest "
                                  "calculation, digital signature generation, fixity check, validation, …")
    check_name = models.CharField(max_length=60, blank=True, help_text="four-property check function name")
    prop = models.CharField(max_length=20, blank=True, help_text="authenticity, integrity, usability, security")
    trigger = models.CharField(max_length=20, blank=True, help_text="archiving, schedule, command, drill, receipt")
    run = models.CharField(max_length=32, blank=True, help_text="groups the checks of one run")
    outcome = models.CharField(max_length=15, choices=Outcome.choices)
    detail = models.TextField(blank=True)
    agent = models.CharField(max_length=150, help_text="the software or the person")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["package_id", "at", "pk"]
        indexes = [models.Index(fields=["package", "run"], name="archives_event_run")]

    def __str__(self) -> str:
        return f"{self.package} {self.event_type} {self.check_name} {self.outcome}"


class DisposalList(models.Model):
    """A disposal list (销毁清单): proposed by an archivist, approved (or rejected) by an approver of
    the organ, then executed; the destruction record is the executed list with its audit events."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("proposed, awaiting approval")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", pgettext_lazy("disposal list", "rejected")
        EXECUTED = "executed", _("executed (destroyed)")

    organ = models.ForeignKey("catalog.Organ", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PROPOSED)
    reason = models.TextField(_("reason"))
    packages = models.ManyToManyField(ArchivePackage, related_name="disposal_lists")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    executed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    executed_at = models.DateTimeField(null=True, blank=True)
    record = models.JSONField(default=dict, blank=True,
                              help_text="the destruction record: every package destroyed with its digests")

    class Meta:
        ordering = ["-proposed_at", "-pk"]

    def __str__(self) -> str:
        return f"disposal list {self.pk} ({self.state})"
