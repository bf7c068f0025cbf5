"""Regions, organs, the catalogue list (基本目录) and implementation lists (实施清单) with versions.

An ``ImplementationItem`` is the stable identity (its ``key``: the 31-character implementation code
when it was known at creation, otherwise the province's local code; see docs/onboarding.md); what
the guide says lives in ``ItemVersion`` rows.

Onboarded data keeps what was published next to what the platform uses: a region mapped from a
12-digit statistical code keeps that code, an organ keeps the department codes exactly as the list
gave them, and every value the platform worked out itself (a mapped region code, a normalised
credit code, an implementation code assembled from its parts, a level taken from the organ's region)
is named in the object's ``derived`` map, which the console shows to administrators. A published version is in force from ``effective_from``
until ``effective_until`` (exclusive, open when null), so "what did the guide say on date X" is a
range lookup and every version is kept.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .codesets import (
    CaseKind,
    CrossRegionScope,
    ExerciseLevel,
    ItemType,
    MaterialForm,
    MaterialSource,
    Necessity,
    OrganNature,
    RegionLevel,
    ResultKind,
    SpecialProcedureKind,
    StepKind,
    TopicAudience,
)


class Region(models.Model):
    code = models.CharField(_("division code"), max_length=9, primary_key=True)
    name = models.CharField(_("name"), max_length=60)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    statistical_code = models.CharField(
        _("statistical division code"), max_length=12, blank=True,
        help_text=_("the 12-digit code as published, when the division code was mapped from it"))
    derived = models.JSONField(_("derived values"), default=dict, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        """Codes of this region and everything below it start with this prefix (GB/T 2260 layout)."""
        return {"province": self.code[:2], "city": self.code[:4], "county": self.code[:6]}.get(self.level, self.code)


class Organ(models.Model):
    """An implementing organ. ``credit_code`` is null until known: an organ onboarded from a list
    that gave only a legacy organisation code (or an unreadable code) is *to be completed*."""

    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True, null=True,
                                   blank=True)
    org_code = models.CharField(_("organisation code (GB 11714)"), max_length=9, blank=True,
                                help_text=_("legacy 9-character code, kept beside the credit code"))
    source_codes = models.JSONField(_("codes as published"), default=list, blank=True,
                                    help_text=_("the department codes exactly as the onboarded list gave them"))
    derived = models.JSONField(_("derived values"), default=dict, blank=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="organs")
    level = models.CharField(_("level"), max_length=1, choices=ExerciseLevel.choices)
    nature = models.CharField(_("nature"), max_length=1, choices=OrganNature.choices, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    hours = models.CharField(_("office hours"), max_length=200, blank=True)

    class Meta:
        ordering = ["region_id", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="organ_name_unique_in_region")]

    def __str__(self) -> str:
        return self.name

    @property
    def to_complete(self) -> bool:
        """The organ has no unified social credit code yet (onboarded with a legacy or unreadable code)."""
        return not self.credit_code

    @property
    def ref(self) -> str:
        """The organ's public reference: its credit code, or ``O`` + its id while that is unknown (``O``
        is not in the GB 32100 alphabet, so the two never collide)."""
        return self.credit_code or f"O{self.pk}"


class Topic(models.Model):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    audience = models.CharField(_("audience"), max_length=10, choices=TopicAudience.choices)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["audience", "order", "code"]

    def __str__(self) -> str:
        return self.name


class CatalogItem(models.Model):
    """An item of the catalogue list: provincial, or a city's supplementary item; or, onboarded from a
    region's published list, an entry known only by name, type and local code (``basic_code`` null
    until the national basic code is known)."""

    basic_code = models.CharField(_("basic code"), max_length=12, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    item_type = models.CharField(_("item type"), max_length=2, choices=ItemType.choices)
    legal_basis = models.TextField(pgettext_lazy("catalogue item", "legal basis"), blank=True)
    exercise_levels = models.JSONField(_("exercise levels"), default=list)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="catalog_items")
    supplementary = models.BooleanField(_("city supplementary item"), default=False)
    local_code = models.CharField(_("local code"), max_length=100, blank=True)
    derived = models.JSONField(_("derived values"), default=dict, blank=True)

    class Meta:
        ordering = ["basic_code", "local_code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "local_code"], condition=~Q(local_code=""),
                                    name="catalog_local_code_unique_in_region"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.basic_code or self.local_code or '—'})"


class ImplementationItem(models.Model):
    """One organ's implementation of a catalogue item; identity only, content is in versions.

    ``key`` is the stable identity used in addresses and by other contexts: the national
    implementation code when the item was created with one, else its local code, else (a main item
    that a list names but gives no code) a digest of region, organ and name. ``code`` is the
    national 31-character implementation code, null until known. ``local_code`` (a province's own
    item code) is unique within the item's region. A sub-item (子项) names its main item (主项) in
    ``parent``; main items have no parent, and sub-items have no sub-items.
    """

    key = models.CharField(_("item key"), max_length=100, unique=True)
    code = models.CharField(_("implementation code"), max_length=31, unique=True, null=True, blank=True)
    catalog_item = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="implementations")
    organ = models.ForeignKey(Organ, on_delete=models.PROTECT, related_name="items")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="implementation_items")
    level = models.CharField(_("exercise level"), max_length=1, choices=ExerciseLevel.choices)
    local_code = models.CharField(_("local code"), max_length=100, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="sub_items",
                               verbose_name=_("main item"))
    derived = models.JSONField(_("derived values"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(fields=["region", "local_code"], condition=~Q(local_code=""),
                                    name="item_local_code_unique_in_region"),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="item_not_its_own_main_item"),
        ]

    def __str__(self) -> str:
        return self.key


class VersionState(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


class Completeness(models.TextChoices):
    """What a published version promises. A *listed* version publishes only that the item exists
    (name, organ, type, codes, where to apply): its guide is incomplete, the portal says which parts
    are not yet published, and it cannot be applied for online. A *complete* one is the full guide."""

    LISTED = "listed", _("listed (guide not yet complete)")
    COMPLETE = "complete", _("complete guide")


def in_force_q(day: dt.date, prefix: str = "") -> Q:
    """Filter for versions published and in force on ``day``; ``prefix`` for related lookups
    (``"versions__"`` from a topic or item)."""
    return Q(**{f"{prefix}state": VersionState.PUBLISHED, f"{prefix}effective_from__lte": day}) & (
        Q(**{f"{prefix}effective_until__isnull": True}) | Q(**{f"{prefix}effective_until__gt": day}))


class ItemVersion(models.Model):
    item = models.ForeignKey(ImplementationItem, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=VersionState.choices, default=VersionState.DRAFT)
    completeness = models.CharField(_("completeness"), max_length=10, choices=Completeness.choices,
                                    default=Completeness.COMPLETE,
                                    help_text=_("set when the version is published"))
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_until = models.DateField(_("effective until (exclusive)"), null=True, blank=True)
    retire_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    # --- the guide (GB/T 39046 implementation list fields) ---
    name = models.CharField(_("item name"), max_length=200)
    legal_basis = models.TextField(pgettext_lazy("catalogue item", "legal basis"), blank=True)
    service_objects = models.JSONField(_("service objects"), default=list, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="versions")
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    case_kind = models.CharField(_("case kind"), max_length=1, choices=CaseKind.choices, default=CaseKind.PROMISED)
    legal_time_limit_days = models.PositiveIntegerField(_("legal time limit (working days)"), null=True, blank=True)
    legal_time_limit_note = models.CharField(_("note on the legal time limit"), max_length=300, blank=True)
    promised_time_limit_days = models.PositiveIntegerField(_("promised time limit (working days)"), null=True,
                                                           blank=True)
    acceptance_conditions = models.TextField(_("acceptance conditions"), blank=True)
    joint_organs = models.ManyToManyField(Organ, blank=True, related_name="joint_versions")
    fee_charged = models.BooleanField(_("fees charged"), default=False)
    online_depth = models.JSONField(_("online handling depth"), default=list, blank=True)
    visits = models.PositiveSmallIntegerField(_("visits to the hall"), default=1)
    handling_forms = models.JSONField(_("handling forms"), default=list, blank=True)
    result_kind = models.CharField(_("result kind"), max_length=10, choices=ResultKind.choices, blank=True)
    result_name = models.CharField(_("result name"), max_length=200, blank=True)
    result_licence_type_code = models.CharField(_("licence type code"), max_length=30, blank=True)
    result_sample = models.FileField(_("result sample"), upload_to="catalog/results/", blank=True)
    quantity_limit = models.CharField(_("quantity limit"), max_length=300, blank=True)
    cross_region_scope = models.CharField(_("cross-region scope"), max_length=10, choices=CrossRegionScope.choices,
                                          default=CrossRegionScope.NONE)
    intermediary_services = models.TextField(_("intermediary services"), blank=True)
    appointment = models.BooleanField(_("appointment available"), default=False)
    online_payment = models.BooleanField(_("online payment"), default=False)
    postal_delivery = models.BooleanField(_("delivery by post"), default=False)
    location = models.TextField(_("location"), blank=True)
    hours = models.CharField(_("hours"), max_length=200, blank=True)
    consultation_phone = models.CharField(_("consultation phone"), max_length=50, blank=True)
    complaint_phone = models.CharField(_("complaint phone"), max_length=50, blank=True)
    min_trust_level = models.PositiveSmallIntegerField(
        _("minimum trust level"), default=2, choices=[(2, "2"), (3, "3"), (4, "4"), (5, "5")],
        help_text=_("real-name level an applicant needs: 2 format checked … 5 certificate or in person"),
    )

    class Meta:
        ordering = ["item_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="version_number_unique"),
            models.UniqueConstraint(fields=["item"], condition=Q(state="draft"), name="one_draft_per_item"),
            models.CheckConstraint(
                condition=Q(promised_time_limit_days__isnull=True) | Q(promised_time_limit_days__gte=1),
                name="promised_limit_positive",
            ),
            models.CheckConstraint(
                condition=Q(legal_time_limit_days__isnull=True) | Q(legal_time_limit_days__gte=1),
                name="legal_limit_positive",
            ),
            models.CheckConstraint(
                condition=Q(promised_time_limit_days__isnull=True) | Q(legal_time_limit_days__isnull=True)
                | Q(promised_time_limit_days__lte=F("legal_time_limit_days")),
                name="promised_within_legal",
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(effective_from__isnull=False), name="published_has_date"
            ),
        ]
        indexes = [models.Index(fields=["item", "state", "effective_from"])]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    def status_on(self, day: dt.date) -> str:
        """draft, scheduled, current or retired, as of ``day``."""
        if self.state == VersionState.DRAFT:
            return "draft"
        if self.effective_from > day:
            return "scheduled"
        if self.effective_until is not None and self.effective_until <= day:
            return "retired"
        return "current"

    @property
    def is_joint(self) -> bool:
        return self.joint_organs.exists()

    @property
    def is_listed(self) -> bool:
        return self.completeness == Completeness.LISTED


class Material(models.Model):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="materials")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("material name"), max_length=200)
    necessity = models.CharField(_("necessity"), max_length=10, choices=Necessity.choices)
    form = models.CharField(_("form"), max_length=10, choices=MaterialForm.choices)
    source = models.CharField(_("source channel"), max_length=12, choices=MaterialSource.choices)
    licence_type_code = models.CharField(_("e-licence type code"), max_length=30, blank=True)
    data_resource_code = models.CharField(_("shared data resource code"), max_length=50, blank=True)
    issuing_organ = models.CharField(pgettext_lazy("material", "issuing organ"), max_length=100, blank=True)
    original_count = models.PositiveSmallIntegerField(_("originals"), default=0)
    copy_count = models.PositiveSmallIntegerField(_("copies"), default=0)
    paper_size = models.CharField(_("paper size"), max_length=10, blank=True)
    paper_legal_basis = models.TextField(_("legal basis for paper"), blank=True)
    acceptance_standard = models.TextField(_("acceptance standard"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    later_days = models.PositiveSmallIntegerField(_("working days to supply later"), null=True, blank=True)
    blank_form = models.FileField(_("blank form"), upload_to="catalog/forms/", blank=True)
    sample = models.FileField(_("filled sample"), upload_to="catalog/samples/", blank=True)

    class Meta:
        ordering = ["version_id", "order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_fetched(self) -> bool:
        return self.source in (MaterialSource.E_LICENCE, MaterialSource.SHARED_DATA)


class FeeItem(models.Model):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="fees")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("fee item"), max_length=200)
    standard = models.CharField(_("standard"), max_length=200)
    basis = models.TextField(_("basis"), blank=True)
    reduction = models.TextField(_("reductions"), blank=True)

    class Meta:
        ordering = ["version_id", "order", "id"]

    def __str__(self) -> str:
        return str(self.name)


class ProcessStep(models.Model):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=StepKind.choices)
    name = models.CharField(_("step"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    time_limit_days = models.PositiveSmallIntegerField(_("time limit (working days)"), null=True, blank=True)

    class Meta:
        ordering = ["version_id", "order", "id"]

    def __str__(self) -> str:
        return str(self.name)


class SpecialProcedure(models.Model):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="special_procedures")
    kind = models.CharField(_("kind"), max_length=15, choices=SpecialProcedureKind.choices)
    name = models.CharField(_("name"), max_length=100)
    counts_in_time = models.BooleanField(_("counts in the time limit"), default=False)
    max_days = models.PositiveSmallIntegerField(_("maximum duration (working days)"), null=True, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)

    class Meta:
        ordering = ["version_id", "id"]

    def __str__(self) -> str:
        return str(self.name)


class FAQ(models.Model):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="faqs")
    order = models.PositiveSmallIntegerField(default=0)
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"))

    class Meta:
        ordering = ["version_id", "order", "id"]

    def __str__(self) -> str:
        return str(self.question)


class SearchEntry(models.Model):
    """Search row of one item's current published version; kept by catalog/search/.

    ``terms`` are the item's index terms (space-separated) and ``weights`` their BM25F impacts
    (float32, same order), computed at indexing; each process loads them into its in-memory index.
    ``embedding`` is the optional semantic vector (GOVHALL_SEARCH_SEMANTIC).
    """

    item = models.OneToOneField(ImplementationItem, on_delete=models.CASCADE, related_name="search_entry")
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    terms = models.TextField(default="")
    weights = models.BinaryField(default=b"")
    embedding = models.BinaryField(null=True, blank=True)
    region_code = models.CharField(max_length=9, db_index=True)
    organ = models.ForeignKey(Organ, on_delete=models.CASCADE, related_name="search_entries")
    item_type = models.CharField(max_length=2, db_index=True)
    topic_codes = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organ", "item_type"])]

    def __str__(self) -> str:
        return str(self.name)


from .search_models import SearchChange, SearchQueryStat, SearchSynonym, SynonymKind  # noqa: E402, F401
