"""The inbox message (站内消息) every notice creates, and one delivery per external channel.

A delivery keeps only the masked address: the real one is looked up from the recipient when it is
sent, so no e-mail address or phone number is stored here in clear.
"""

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="inbox_messages")
    kind = models.CharField(_("kind"), max_length=64)  # e.g. cases.case.accepted
    subject_zh = models.CharField(_("subject (Chinese)"), max_length=200)
    subject_en = models.CharField(_("subject (English)"), max_length=200)
    body_zh = models.TextField(_("text (Chinese)"))
    body_en = models.TextField(_("text (English)"))
    link = models.CharField(_("link"), max_length=500, blank=True)
    case_number = models.CharField(_("case number"), max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "-created_at"], name="notif_msg_inbox"),
                   models.Index(fields=["recipient", "read_at"], name="notif_msg_unread")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def subject(self) -> str:
        """The subject in the page's language (Chinese unless English is chosen)."""
        return self.subject_en if translation.get_language() == "en" else self.subject_zh

    @property
    def body(self) -> str:
        return self.body_en if translation.get_language() == "en" else self.body_zh


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("pending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class Delivery(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address_masked = models.CharField(_("address"), max_length=120)
    state = models.CharField(_("state"), max_length=10, choices=DeliveryState.choices,
                             default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="notif_delivery_due")]
        constraints = [
            models.UniqueConstraint(fields=["message", "channel"], name="notif_delivery_one_per_channel"),
            models.CheckConstraint(condition=~models.Q(state="sent") | models.Q(sent_at__isnull=False),
                                   name="notif_delivery_sent_has_time"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.address_masked} (message #{self.message_id})"
