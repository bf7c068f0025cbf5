"""Electronic supervision (电子监察): the rule catalogue, warnings with their evidence and workflow,
and the pre-aggregated efficiency figures (效能).

- ``Rule`` is the catalogue entry in force; every change makes a new ``RuleVersion`` (append-only),
  and each warning records the version that raised it. ``RuleRegion`` switches a rule on or off for
  a region and everything below it (the most specific region wins).
- ``Warning`` holds the evidence (case or item, facts, rule version) and never changes it; only its
  workflow fields move, and each move is a ``WarningTransition`` row (append-only) and an audit event.
- ``Figure`` rows are the efficiency figures per period (month, quarter), dimension (organ, item,
  staff member) and key, rewritten by the scan (``figures.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    TIMELINESS = "timeliness", _("timeliness (时效)")
    LEGALITY = "legality", _("legality (合法性)")
    REGULARITY = "regularity", _("regularity (规范性)")
    COMPLETENESS = "completeness", _("completeness of published information (公开完整性)")


class Level(models.TextChoices):
    NOTICE = "notice", _("notice (提示)")
    YELLOW = "yellow", _("yellow card (黄牌)")
    RED = "red", _("red card (红牌)")


class Rule(models.Model):
    code = models.CharField(_("rule code"), max_length=20, unique=True)
    kind = models.CharField(_("type"), max_length=15, choices=RuleKind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Level.choices)
    evaluator = models.CharField(max_length=40, help_text="name of the pure evaluator in supervision/rules.py")
    subject = models.CharField(max_length=10, default="case", help_text="case or item")
    title_zh = models.CharField(max_length=100)
    title_en = models.CharField(max_length=100)
    description_zh = models.TextField()
    legal_basis = models.TextField(_("legal basis"))
    params = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True, help_text="where no region setting says otherwise")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title_zh}"


class RuleVersion(models.Model):
    """A snapshot of a rule as it was from ``created_at`` on (append-only)."""

    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    severity = models.CharField(max_length=10, choices=Level.choices)
    title_zh = models.CharField(max_length=100)
    description_zh = models.TextField()
    legal_basis = models.TextField()
    params = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["rule_id", "number"]
        constraints = [models.UniqueConstraint(fields=["rule", "number"], name="supervision_rule_version_unique")]

    def __str__(self) -> str:
        return f"{self.rule.code} v{self.number}"

    def delete(self, *args, **kwargs):
        raise RuntimeError("rule versions are append-only")


class RuleRegion(models.Model):
    """A rule switched on or off for a region and everything below it."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="regions")
    region = models.ForeignKey("catalog.Region", on_delete=models.PROTECT, related_name="+")
    enabled = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "region"], name="supervision_rule_region_unique")]

    def __str__(self) -> str:
        return f"{self.rule.code} {self.region_id} {'on' if self.enabled else 'off'}"


class WarningState(models.TextChoices):
    OPEN = "open", _("open")
    ACKNOWLEDGED = "acknowledged", _("acknowledged by the organ")
    EXPLAINED = "explained", _("explained by the organ")
    RECTIFIED = "rectified", _("rectified, awaiting the supervisor")
    ESCALATED = "escalated", _("escalated")
    CLOSED = "closed", _("closed")


OPEN_WARNING_STATES = (WarningState.OPEN, WarningState.ACKNOWLEDGED, WarningState.EXPLAINED, WarningState.RECTIFIED,
                       WarningState.ESCALATED)

EVIDENCE_FIELDS = frozenset({"rule_id", "rule_version", "level", "subject", "occurrence", "case_id", "item_id",
                             "organ_id", "region_code", "facts", "message_zh", "message_en", "raised_at"})


class Warning(models.Model):  # noqa: A001 (the domain's word; never imported as a bare name)
    """A warning (预警/黄牌/红牌) with its evidence. The evidence never changes (``save`` refuses it)."""

    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="warnings")
    rule_version = models.PositiveIntegerField()
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    subject = models.CharField(max_length=40, help_text="case:<id> or item:<id>")
    occurrence = models.CharField(max_length=200, help_text="what makes this the same violation (due date, step…)")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey("catalog.ImplementationItem", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    organ = models.ForeignKey("catalog.Organ", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(max_length=9, db_index=True)
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", help_text="the staff member handling the case when raised")
    facts = models.JSONField(default=dict)
    message_zh = models.TextField()
    message_en = models.TextField()
    raised_at = models.DateTimeField()
    # workflow (the only fields that change)
    state = models.CharField(_("state"), max_length=15, choices=WarningState.choices, default=WarningState.OPEN)
    rectify_due = models.DateField(_("rectification due"), null=True, blank=True)
    escalation = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "subject", "occurrence"], name="supervision_warning_once"),
            models.UniqueConstraint(fields=["rule", "subject"], condition=~Q(state="closed"),
                                    name="supervision_one_open_warning"),
        ]
        indexes = [
            models.Index(fields=["organ", "state", "level"], name="supervision_warning_organ"),
            models.Index(fields=["state", "rectify_due"], name="supervision_warning_due"),
            models.Index(fields=["case"], name="supervision_warning_case"),
        ]

    def __str__(self) -> str:
        return f"{self.rule.code} {self.subject} {self.level}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            fields = kwargs.get("update_fields")
            named = {f"{f}_id" if f in ("rule", "case", "item", "organ") else f for f in (fields or ())}
            if fields is None or EVIDENCE_FIELDS & named:
                raise RuntimeError("a warning's evidence is append-only: save only its workflow fields")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("warnings are append-only")

    @property
    def is_open(self) -> bool:
        return self.state != WarningState.CLOSED


class WarningTransition(models.Model):
    """One step of a warning's workflow (append-only)."""

    warning = models.ForeignKey(Warning, on_delete=models.PROTECT, related_name="transitions")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_label = models.CharField(max_length=150)
    from_state = models.CharField(max_length=15)
    to_state = models.CharField(max_length=15)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["warning_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.warning_id}: {self.from_state} → {self.to_state}"

    def delete(self, *args, **kwargs):
        raise RuntimeError("warning transitions are append-only")


class Figure(models.Model):
    """Efficiency figures of one period, dimension and key (pre-aggregated by the scan)."""

    class Dimension(models.TextChoices):
        ORGAN = "organ", _("organ")
        ITEM = "item", _("item")
        STAFF = "staff", _("staff member")

    period = models.CharField(max_length=7, help_text="2026-06 (month) or 2026Q2 (quarter)")
    dimension = models.CharField(max_length=5, choices=Dimension.choices)
    key = models.CharField(max_length=40, help_text="organ, item or user id")
    organ = models.ForeignKey("catalog.Organ", on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=9)
    label = models.CharField(max_length=200)
    received = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    finished = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    avg_days = models.FloatField(null=True, blank=True, help_text="average working days used (finished cases)")
    p90_days = models.PositiveIntegerField(null=True, blank=True)
    avg_promised = models.FloatField(null=True, blank=True, help_text="average promised limit of the same cases")
    corrections = models.PositiveIntegerField(default=0)
    deemed = models.PositiveIntegerField(default=0, help_text="Art. 32 deemed acceptances")
    online = models.PositiveIntegerField(default=0, help_text="received through a channel other than the window")
    fetched = models.PositiveIntegerField(default=0, help_text="materials fetched through sharing")
    uploaded = models.PositiveIntegerField(default=0, help_text="materials uploaded by applicants")
    notices = models.PositiveIntegerField(default=0)
    yellow = models.PositiveIntegerField(default=0)
    red = models.PositiveIntegerField(default=0)
    score = models.FloatField(null=True, blank=True, help_text="quarterly assessment score (organs)")
    grade = models.CharField(max_length=4, blank=True, help_text="优秀/良好/合格/不合格 (organs, quarters)")
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["period", "dimension", "label"]
        constraints = [models.UniqueConstraint(fields=["period", "dimension", "key"], name="supervision_figure_unique")]
        indexes = [models.Index(fields=["dimension", "period", "organ"], name="supervision_figure_lookup")]

    def __str__(self) -> str:
        return f"{self.period} {self.dimension} {self.label}"

    @property
    def on_time_rate(self) -> float | None:
        return round(self.on_time / self.finished, 3) if self.finished else None

    @property
    def correction_rate(self) -> float | None:
        return round(self.corrections / self.received, 3) if self.received else None

    @property
    def online_rate(self) -> float | None:
        return round(self.online / self.received, 3) if self.received else None

    @property
    def fetched_rate(self) -> float | None:
        total = self.fetched + self.uploaded
        return round(self.fetched / total, 3) if total else None


class ScanRun(models.Model):
    """One evaluation run (full scan, or one event), for the dashboard and the bench."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    kind = models.CharField(max_length=10, help_text="scan or event")
    cases = models.PositiveIntegerField(default=0)
    items = models.PositiveIntegerField(default=0)
    raised = models.PositiveIntegerField(default=0)
    escalated = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M}"
