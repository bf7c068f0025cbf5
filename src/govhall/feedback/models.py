"""The public's voice: 好差评 ratings and their rectifications and appeals, 我要问 consultations, and
complaints (issue 13). Nothing here is ever deleted: a rating found mistaken or malicious is marked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import rules


class RatingStage(models.TextChoices):
    """一事一评: one rating per case and stage."""

    ACCEPT = "accept", _("at acceptance")
    CLOSE = "close", _("at closing")


class RatingChannel(models.TextChoices):
    """Where the rating was given; ``rules.NATIONAL_CHANNEL`` maps these to the national codes."""

    PC = "pc", _("website (PC)")
    MOBILE = "mobile", _("mobile")
    QR = "qr", _("QR code")
    HALL_TABLET = "tablet", _("hall rating tablet")
    KIOSK = "kiosk", _("self-service kiosk")
    PHONE = "phone", _("phone")
    SMS = "sms", _("SMS")


class RatingFlag(models.TextChoices):
    NONE = "", _("valid")
    MISTAKEN = "mistaken", _("marked mistaken")
    MALICIOUS = "malicious", _("marked malicious")


class RectificationPeriod(models.Model):
    """The working days a region gives an organ to rectify a bad rating (the national rules leave it
    to the provinces). The nearest setting up the region tree counts; none: ``rules.DEFAULT_DAYS``."""

    region = models.OneToOneField("catalog.Region", on_delete=models.PROTECT, related_name="+")
    working_days = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=200, blank=True, help_text="the rule that sets it")

    def __str__(self) -> str:
        return f"{self.region_id}: {self.working_days}"


class RatingInvitation(models.Model):
    """The invitation to rate a closed case (inbox and SMS), and its one reminder after 3 days."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="rating_invitations")
    stage = models.CharField(max_length=10, choices=RatingStage.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "stage"], name="feedback_invitation_once")]

    def __str__(self) -> str:
        return f"invitation {self.case_id}/{self.stage}"


class Rating(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="ratings")
    stage = models.CharField(_("stage"), max_length=10, choices=RatingStage.choices)
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rater_role = models.CharField(max_length=15, help_text="applicant, agent or representative")
    mandate = models.ForeignKey("identity.AgentMandate", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", help_text="the agent mandate the rating rests on")
    real_name = models.BooleanField(default=True, help_text="the rater has a real-name identity (callback due)")
    channel = models.CharField(_("channel"), max_length=10, choices=RatingChannel.choices, default=RatingChannel.PC)
    score = models.PositiveSmallIntegerField(_("score"), help_text="5 非常满意 … 1 非常不满意 (national numbering)")
    dimensions = models.JSONField(default=dict, blank=True, help_text="dimension code → score 1-5")
    reasons = models.JSONField(default=list, blank=True, help_text="bad-rating reason codes (rules.BAD_REASONS)")
    comment = models.TextField(_("comment"), blank=True)
    # what was rated, copied from the case when rated (figures per organ, item and window)
    organ = models.ForeignKey("catalog.Organ", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey("catalog.ImplementationItem", on_delete=models.PROTECT, related_name="+")
    window_officer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+", help_text="the officer who took it at the counter")
    created_at = models.DateTimeField()
    flag = models.CharField(max_length=10, choices=RatingFlag.choices, default=RatingFlag.NONE, blank=True)
    flagged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "stage"], name="feedback_rating_once"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="feedback_rating_score"),
        ]
        indexes = [models.Index(fields=["organ", "created_at"], name="feedback_rating_organ"),
                   models.Index(fields=["item", "created_at"], name="feedback_rating_item")]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.stage}: {self.score}"

    @property
    def is_bad(self) -> bool:
        return rules.is_bad(self.score)

    @property
    def level_zh(self) -> str:
        return rules.LEVELS[self.score][0]

    @property
    def level_en(self) -> str:
        return rules.LEVELS[self.score][1]


class Rectification(models.Model):
    """整改: a bad rating verified, the rater called back, the service rectified and the rater answered."""

    class State(models.TextChoices):
        OPEN = "open", _("to verify")
        VERIFIED = "verified", _("verified")
        RECTIFIED = "rectified", _("rectified")
        REPLIED = "replied", _("replied to the rater")
        ANSWERED = "answered", _("the rater answered")

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    organ = models.ForeignKey("catalog.Organ", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    opened_on = models.DateField()
    period_days = models.PositiveSmallIntegerField(help_text="working days given (region setting)")
    due_date = models.DateField(null=True, blank=True, help_text="empty while the year's calendar is unknown")
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    founded = models.BooleanField(null=True, help_text="whether verification found the complaint founded")
    verification = models.TextField(_("verification"), blank=True)
    callback_at = models.DateTimeField(null=True, blank=True)
    callback_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    callback_reached = models.BooleanField(null=True)
    callback_note = models.TextField(_("callback record"), blank=True)
    rectified_at = models.DateTimeField(null=True, blank=True)
    measures = models.TextField(_("rectification measures"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    reply = models.TextField(_("reply"), blank=True)
    on_time = models.BooleanField(null=True, help_text="replied by the due date (null: not yet or unknown)")
    rater_satisfied = models.BooleanField(null=True)
    rater_answer = models.TextField(_("the rater's answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True, help_text="when it was found overdue (event recorded)")

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["organ", "state", "due_date"], name="feedback_rect_queue")]

    def __str__(self) -> str:
        return f"rectification of {self.rating_id}"


class Appeal(models.Model):
    """申诉: the organ asks a supervisor to mark a rating mistaken or malicious, with evidence."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("requested")
        UPHELD = "upheld", _("upheld: rating marked")
        REJECTED = "rejected", _("rejected")

    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="appeals")
    mark = models.CharField(max_length=10, choices=[c for c in RatingFlag.choices if c[0]])
    evidence = models.TextField(_("evidence"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [models.UniqueConstraint(fields=["rating"], condition=models.Q(state="requested"),
                                               name="feedback_one_open_appeal")]

    def __str__(self) -> str:
        return f"appeal {self.pk} on rating {self.rating_id}"


class Consultation(models.Model):
    """我要问: a question about an item, answered by its organ within ``rules.CONSULTATION_DAYS``."""

    class State(models.TextChoices):
        OPEN = "open", _("waiting for an answer")
        ANSWERED = "answered", _("answered")

    item = models.ForeignKey("catalog.ImplementationItem", on_delete=models.PROTECT, related_name="+")
    organ = models.ForeignKey("catalog.Organ", on_delete=models.PROTECT, related_name="+")
    asker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    question = models.TextField(_("question"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    asked_at = models.DateTimeField()
    due_date = models.DateField(null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    public_question = models.TextField(blank=True, help_text="the question as published, without personal data")
    public_answer = models.TextField(blank=True, help_text="the answer as published, without personal data")

    class Meta:
        ordering = ["-asked_at", "-pk"]
        indexes = [models.Index(fields=["organ", "state", "due_date"], name="feedback_consult_queue")]

    def __str__(self) -> str:
        return f"consultation {self.pk}"


class Complaint(models.Model):
    """投诉 about a case, an item, a window or the platform."""

    class About(models.TextChoices):
        CASE = "case", _("a case")
        ITEM = "item", _("an item")
        WINDOW = "window", _("a window")
        PLATFORM = "platform", _("the platform")

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        ACKNOWLEDGED = "acknowledged", _("acknowledged, being handled")
        REPLIED = "replied", _("replied")

    complainant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    about = models.CharField(max_length=10, choices=About.choices)
    subject = models.CharField(_("subject"), max_length=200)
    content = models.TextField(_("content"))
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey("catalog.ImplementationItem", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    organ = models.ForeignKey("catalog.Organ", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              help_text="the organ concerned (none: the platform, for the supervisors)")
    state = models.CharField(max_length=15, choices=State.choices, default=State.SUBMITTED)
    submitted_at = models.DateTimeField()
    due_date = models.DateField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    handling = models.TextField(_("handling"), blank=True)
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    reply_score = models.PositiveSmallIntegerField(null=True, blank=True, help_text="the complainant's rating 1-5")
    reply_comment = models.TextField(blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["organ", "state", "due_date"], name="feedback_complaint_queue")]

    def __str__(self) -> str:
        return f"complaint {self.pk}"
