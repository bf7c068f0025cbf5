"""Applications and cases (GB/T 39046 tables 5-11): what the applicant submitted and how the organs
handled it, on the working-day clock.

An ``Application`` is the applicant's form and materials; it is a draft until it is submitted, and
then it is frozen and signed. Submitting makes exactly one ``Case``. Every state change of a case
goes through ``services.py`` under a lock on the case row, is audited, and leaves a ``CaseEvent``
on the case's timeline. Due dates are *computed* by ``clock.py`` from the acceptance date, the item's
limits, the approved extensions and the paused intervals; the values stored on the case
(``due_date``, ``legal_due_date``) are a cache of that computation for sorting queues, rewritten by
every transition that can move them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govhall.catalog.codesets import SpecialProcedureKind
from govhall.crypto.dbfields import EncryptedJSONField, EncryptedTextField


class Channel(models.TextChoices):
    ONLINE = "online", pgettext_lazy("application channel", "online (PC)")
    MOBILE = "mobile", _("mobile")
    KIOSK = "kiosk", _("self-service kiosk")
    WINDOW = "window", pgettext_lazy("application channel", "at the window")
    API = "api", _("other channel (API)")


class StoredFile(models.Model):
    """A file stored once, by content: the storage name is derived from the SHA-256 digest."""

    sha256 = models.CharField(max_length=64, unique=True)
    sm3 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    storage_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({self.content_type}, {self.size} B)"


class Application(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications",
                                  help_text="the account that applies (for a company: its agent or representative)")
    legal_person = models.ForeignKey("identity.LegalPerson", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="applications")
    mandate = models.ForeignKey("identity.AgentMandate", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="applications")
    item = models.ForeignKey("catalog.ImplementationItem", on_delete=models.PROTECT, related_name="applications")
    version = models.ForeignKey("catalog.ItemVersion", on_delete=models.PROTECT, related_name="applications",
                                help_text="the guide version in force when the application was started")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", help_text="window officer who took it at the counter")
    # what the applicant typed (contact name, phone, address …): encrypted at rest, never searched
    form_data = EncryptedJSONField(default=dict, blank=True, label="cases.application.form_data")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    idempotency_key = models.CharField(max_length=100, blank=True)
    # snapshot of who applies, as the organ sees it (names are not secret: queues list them in one query;
    # the id number and the phone are masked)
    applicant_name = models.CharField(_("applicant"), max_length=200)
    applicant_id_masked = models.CharField(_("identity document"), max_length=40, blank=True)
    contact_phone_masked = models.CharField(_("contact phone"), max_length=20, blank=True)
    # the signature over the submission (see signing.py)
    signed_payload_sm3 = models.CharField(max_length=64, blank=True)
    signature = models.BinaryField(null=True, blank=True)
    signature_key_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["applicant", "idempotency_key"], condition=~Q(idempotency_key=""),
                                    name="application_idempotency_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.version.name} · {self.applicant_name}"


class ApplicationMaterial(models.Model):
    """One material of the item for this application and how it was (or will be) provided."""

    class Status(models.TextChoices):
        MISSING = "missing", _("not yet provided")
        UPLOADED = "uploaded", _("uploaded")
        FORM = "form", _("filled in online")
        TO_FETCH = "to_fetch", _("to be fetched by the organ")
        LATER = "later", _("to follow later (容缺后补)")
        PROMISED = "promised", _("replaced by a signed promise (告知承诺)")
        NOT_NEEDED = "not_needed", _("optional, not provided")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey("catalog.Material", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.MISSING)
    follow_by = models.DateField(_("to follow by"), null=True, blank=True)
    promise_text = models.TextField(_("promise"), blank=True)

    class Meta:
        ordering = ["application_id", "material__order", "material_id"]
        constraints = [models.UniqueConstraint(fields=["application", "material"], name="one_row_per_material")]

    def __str__(self) -> str:
        return self.material.name


class MaterialFile(models.Model):
    application_material = models.ForeignKey(ApplicationMaterial, on_delete=models.CASCADE, related_name="files")
    stored = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="uses")
    filename = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    correction_round = models.PositiveSmallIntegerField(default=0, help_text="0: with the application, 1: correction")
    replaced = models.BooleanField(default=False)

    class Meta:
        ordering = ["application_material_id", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.filename


class CaseState(models.TextChoices):
    SUBMITTED = "submitted", _("received, awaiting acceptance")
    CORRECTION = "correction", _("correction requested")
    IN_PROGRESS = "in_progress", _("accepted, being handled")
    SUSPENDED = "suspended", _("special procedure (clock stopped)")
    DECIDED = "decided", _("decided, result to be delivered")
    CLOSED = "closed", _("closed")
    NOT_ACCEPTED = "not_accepted", _("not accepted")
    WITHDRAWN = "withdrawn", _("withdrawn by the applicant")
    CORRECTION_EXPIRED = "correction_expired", _("ended: correction not made in time")


OPEN_STATES = (CaseState.SUBMITTED, CaseState.CORRECTION, CaseState.IN_PROGRESS, CaseState.SUSPENDED,
               CaseState.DECIDED)
FINAL_STATES = (CaseState.CLOSED, CaseState.NOT_ACCEPTED, CaseState.WITHDRAWN, CaseState.CORRECTION_EXPIRED)


class Stage(models.TextChoices):
    """The workbench queue a case is in."""

    ACCEPT = "accept", _("to accept")
    CORRECTION = "correction", _("waiting for correction")
    UNDERTAKE = "undertake", _("to undertake")
    REVIEW = "review", _("to review")
    APPROVE = "approve", _("to approve")
    DECIDE = "decide", _("to decide")
    JOINT = "joint", _("waiting for joint opinions")
    SPECIAL = "special", _("special procedure in progress")
    DELIVER = "deliver", _("to deliver")
    DONE = "done", _("finished")


class Case(models.Model):
    number = models.CharField(_("case number"), max_length=43, unique=True)
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="case")
    item = models.ForeignKey("catalog.ImplementationItem", on_delete=models.PROTECT, related_name="cases")
    version = models.ForeignKey("catalog.ItemVersion", on_delete=models.PROTECT, related_name="cases")
    organ = models.ForeignKey("catalog.Organ", on_delete=models.PROTECT, related_name="cases",
                              help_text="the accepting (lead) organ")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases")
    applicant_name = models.CharField(_("applicant"), max_length=200)
    item_name = models.CharField(_("item"), max_length=200)
    state = models.CharField(_("state"), max_length=20, choices=CaseState.choices, default=CaseState.SUBMITTED)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.ACCEPT,
                             help_text="which workbench queue the case is in (derived from state and steps)")
    queue_due = models.DateField(null=True, blank=True, help_text="the date the current stage is due (sorting)")
    row_version = models.PositiveIntegerField(default=1, help_text="raised by every transition (stale forms)")
    is_joint = models.BooleanField(default=False)
    is_immediate = models.BooleanField(default=False)
    promised_days = models.PositiveIntegerField(null=True, blank=True)
    legal_days = models.PositiveIntegerField(null=True, blank=True)
    # the clock
    received_at = models.DateTimeField(_("received"))
    last_received_on = models.DateField(help_text="day the (corrected) materials were last received")
    acceptance_due = models.DateField(_("acceptance or correction notice due"), null=True, blank=True,
                                      help_text="empty while the next year's official calendar is not entered")
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    acceptance_deemed = models.BooleanField(
        default=False, help_text="Art. 32: no acceptance decision within 5 working days; accepted from receipt")
    clock_start = models.DateField(null=True, blank=True)
    extension_days = models.PositiveIntegerField(default=0)
    due_date = models.DateField(_("promised completion date"), null=True, blank=True)
    legal_due_date = models.DateField(_("legal completion date"), null=True, blank=True)
    correction_due = models.DateField(_("correction due"), null=True, blank=True)
    acceptance_notice_number = models.CharField(max_length=60, blank=True)
    # handling
    current_step = models.ForeignKey("CaseStep", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="assigned_cases")
    payment_required = models.BooleanField(default=False)
    paid = models.BooleanField(default=False)
    query_code = models.CharField(max_length=8, help_text="printed on the receipt; with the number it shows "
                                  "progress without personal data")
    closed_at = models.DateTimeField(null=True, blank=True)
    result_code = models.CharField(max_length=30, blank=True,
                                   help_text="granted, denied, not_accepted, withdrawn, correction_expired")
    face_corrections = models.JSONField(default=dict, blank=True, help_text="the officer's corrections of the "
                                        "licence face fields (licence_<name>: value); the signed form is kept as "
                                        "the applicant signed it")

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["organ", "stage", "queue_due"], name="case_queue"),
            models.Index(fields=["applicant", "-received_at"], name="case_applicant"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class CaseSerial(models.Model):
    """The last serial used per implementation code and day (case numbers: code + yyyymmdd + nnnn)."""

    item_code = models.CharField(max_length=31)
    day = models.DateField()
    last = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item_code", "day"], name="case_serial_unique")]

    def __str__(self) -> str:
        return f"{self.item_code} {self.day} #{self.last}"


class CaseStep(models.Model):
    """A handling step (承办, 审核, 批准) or a joint-handling task of a co-organ."""

    class Kind(models.TextChoices):
        UNDERTAKE = "undertake", _("undertake (承办)")
        REVIEW = "review", _("review (审核)")
        APPROVE = "approve", _("approve (批准)")
        JOINT = "joint", _("joint handling task")

    class State(models.TextChoices):
        WAITING = "waiting", _("waiting")
        ACTIVE = "active", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    class Action(models.TextChoices):
        PASS = "pass", _("pass")
        RETURN = "return", _("return to the previous step")
        OBJECT = "object", _("object (joint opinion against)")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=100)
    organ = models.ForeignKey("catalog.Organ", on_delete=models.PROTECT, related_name="case_steps")
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="case_steps")
    action = models.CharField(max_length=10, choices=Action.choices, blank=True)
    opinion = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    finished_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["case_id", "order", "id"]
        indexes = [models.Index(fields=["organ", "kind", "state"], name="casestep_queue")]

    def __str__(self) -> str:
        return f"{self.case.number} · {self.name}"


class CorrectionNotice(models.Model):
    """The one-time correction notice (一次性告知): every missing or wrong item at once. One per case."""

    class State(models.TextChoices):
        OPEN = "open", _("waiting for the applicant")
        ANSWERED = "answered", _("corrected")
        EXPIRED = "expired", _("correction deadline passed")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="correction_notice")
    notice_number = models.CharField(max_length=60)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    deadline = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    answered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.notice_number


class CorrectionItem(models.Model):
    notice = models.ForeignKey(CorrectionNotice, on_delete=models.CASCADE, related_name="items")
    application_material = models.ForeignKey(ApplicationMaterial, null=True, blank=True, on_delete=models.PROTECT,
                                             related_name="correction_items")
    form_field = models.CharField(max_length=100, blank=True)
    problem = models.TextField(_("what is missing or wrong"))
    answered = models.BooleanField(default=False)

    class Meta:
        ordering = ["notice_id", "id"]

    def __str__(self) -> str:
        return self.problem[:60]


class SpecialProcedure(models.Model):
    """A special procedure (Art. 45): the clock stops from the day after it starts until it ends."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="special_procedures")
    kind = models.CharField(max_length=15, choices=SpecialProcedureKind.choices)
    reason = models.TextField(_("reason"))
    legal_basis = models.TextField(_("legal basis"), blank=True)
    expected_days = models.PositiveSmallIntegerField(_("expected duration (working days)"))
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    result = models.TextField(_("result"), blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")

    class Meta:
        ordering = ["case_id", "started_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(ended_on__isnull=True),
                                    name="one_open_special_procedure"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                                   name="special_procedure_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.started_on})"


class Extension(models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested", _("awaiting approval")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("working days"))
    reason = models.TextField(_("reason"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case_id", "requested_at"]

    def __str__(self) -> str:
        return f"+{self.days} ({self.get_state_display()})"


class Decision(models.Model):
    class Outcome(models.TextChoices):
        GRANT = "grant", _("granted")
        DENY = "deny", _("denied")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="decision")
    outcome = models.CharField(max_length=5, choices=Outcome.choices)
    reasons = models.TextField(_("reasons"))
    legal_basis = models.TextField(_("legal basis"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    document_number = models.CharField(max_length=60)
    document = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return self.document_number


class ResultFile(models.Model):
    """A result the applicant downloads (the decision document, a licence scan …)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="results")
    stored = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case_id", "id"]

    def __str__(self) -> str:
        return self.filename


class Delivery(models.Model):
    class Method(models.TextChoices):
        DOWNLOAD = "download", _("download online")
        POST = "post", pgettext_lazy("result delivery", "by post")
        WINDOW = "window", _("collection at the window")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="delivery")
    method = models.CharField(max_length=10, choices=Method.choices)
    address = EncryptedTextField(blank=True, label="cases.delivery.address", help_text="postal address")
    tracking_number = models.CharField(max_length=60, blank=True)
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    delivered_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.get_method_display()


class PaymentOrder(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("awaiting payment")
        PAID = "paid", _("paid")
        CANCELLED = "cancelled", _("cancelled")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="payment")
    order_number = models.CharField(max_length=40, unique=True)
    amount_fen = models.PositiveBigIntegerField(help_text="amount in fen (0.01 yuan)")
    lines = models.JSONField(default=list)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    provider_reference = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.order_number


class CaseEvent(models.Model):
    """The case's timeline. ``public`` events are shown to the applicant; all are shown to staff."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_label = models.CharField(max_length=150)
    organ = models.ForeignKey("catalog.Organ", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    summary_zh = models.TextField()
    summary_en = models.TextField()
    detail = models.JSONField(default=dict, blank=True)
    public = models.BooleanField(default=True)

    class Meta:
        ordering = ["case_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class ProgressLookupFailure(models.Model):
    """One failed public progress lookup (wrong case number or query code) from a client address.

    Kept in the database, not a per-process cache, so every web worker counts the same failures and
    a restart forgets nothing (cases/throttle.py)."""

    address = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["address", "created_at"], name="cases_progress_fail_addr")]

    def __str__(self) -> str:
        return f"{self.address} {self.created_at:%Y-%m-%d %H:%M}"
