"""Notifications to applicants: in-app inbox, e-mail and SMS (Art. 14 of the Anhui measures: the
applicant is told online of every event of their case).

INTERFACE (used by govhall.cases.services; keep this signature):

    notify(*, recipient, kind, subject_zh, subject_en, body_zh, body_en, link="", case_number="")

Delivery life cycle: pending → sent, or pending → (retries with back-off) → failed; a member of
staff may put a failed delivery back to pending (``delivery_retry``, audited).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from govhall.core import audit, events
from govhall.core.errors import DomainError

from . import channels
from .models import Delivery, DeliveryState, Message

logger = logging.getLogger("govhall.notifications")

DEFAULT_MAX_ATTEMPTS = 5
RETRIED = "notifications.delivery.retried"
MESSAGE_CREATED = "notification.created"


def max_attempts() -> int:
    return int(getattr(settings, "GOVHALL_NOTIFY_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def retry_delay(attempts: int) -> dt.timedelta:
    """Wait after the ``attempts``-th failed attempt: 1, 5, 25, 125… minutes."""
    return dt.timedelta(minutes=5 ** (max(attempts, 1) - 1))


def _enqueue_on_commit(delivery_id: int) -> None:
    from .tasks import send_delivery

    transaction.on_commit(lambda: send_delivery.enqueue(delivery_id))


def notify(*, recipient, kind: str, subject_zh: str, subject_en: str, body_zh: str, body_en: str,
           link: str = "", case_number: str = "") -> Message:
    """Tell ``recipient`` of an event: an inbox message now, e-mail and SMS after commit.

    Runs inside the caller's transaction (its own otherwise) and writes only the Message
    and its domain event ``notification.created``; once the caller commits, the subscriber
    ``notifications.deliveries`` (``plan_deliveries``) makes one pending Delivery per channel the
    recipient can be reached on (e-mail: account or real-name e-mail; SMS: the real-name mobile
    number) and sends each with the ``send_delivery`` task, so a rolled back event sends nothing and
    the address look-ups (decryption) stay out of the caller's transaction. A recipient with neither
    channel still has the inbox message. ``link`` is a site path ("/…") or an http(s) URL; anything
    else raises ValueError.
    """
    if link and not link.startswith(("/", "https://", "http://")):
        raise ValueError(f"notification links are site paths or http(s) URLs, not {link[:20]!r}")
    with transaction.atomic(savepoint=False):
        message = Message.objects.create(
            recipient=recipient, kind=kind, subject_zh=subject_zh, subject_en=subject_en,
            body_zh=body_zh, body_en=body_en, link=link, case_number=case_number)
        events.record(MESSAGE_CREATED, {"message_id": message.pk, "kind": kind[:60]})
    return message


def plan_deliveries(message_id: int) -> list[Delivery]:
    """One pending Delivery per channel the message's recipient can be reached on, each sent after
    commit; nothing when the message already has its deliveries (the event handled twice)."""
    message = Message.objects.select_related("recipient").filter(pk=message_id).first()
    if message is None or message.deliveries.exists():
        return []
    now = timezone.now()
    made = []
    for channel, address in channels.addresses_of(message.recipient).items():
        delivery = Delivery.objects.create(message=message, channel=channel, next_attempt_at=now,
                                           address_masked=channels.mask(channel, address))
        _enqueue_on_commit(delivery.pk)
        made.append(delivery)
    return made


@transaction.atomic
def _claim(delivery_id: int) -> Delivery | None:
    """Take a due pending delivery for one attempt: count it and move its next attempt on, so that
    a second worker (or the periodic job) skips it and a crash mid-send is retried later."""
    now = timezone.now()
    delivery = (Delivery.objects.select_for_update(of=("self",)).select_related("message__recipient")
                .filter(pk=delivery_id, state=DeliveryState.PENDING, next_attempt_at__lte=now).first())
    if delivery is None:
        return None
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
    return delivery


def delivery_send(*, delivery_id: int) -> str:
    """Make one attempt at a pending delivery whose time has come; returns its state afterwards
    ("skipped" when it was not due, already sent or failed, or taken by another worker).

    On failure the delivery stays pending until its next attempt (back-off ``retry_delay``); the
    attempt that reaches GOVHALL_NOTIFY_MAX_ATTEMPTS marks it failed, for staff to look at.
    """
    delivery = _claim(delivery_id)
    if delivery is None:
        return "skipped"
    try:
        channels.send(delivery.channel, delivery.message)
    except channels.NotSent as exc:
        error = str(exc)
    except Exception as exc:  # a gateway's unexpected error is a failed attempt, not a stuck delivery
        logger.exception("delivery #%s: unexpected error from the %s channel", delivery.pk, delivery.channel)
        error = f"{type(exc).__name__}"
    else:
        delivery.state, delivery.sent_at, delivery.next_attempt_at = DeliveryState.SENT, timezone.now(), None
        delivery.last_error = ""
        delivery.save(update_fields=["state", "sent_at", "next_attempt_at", "last_error"])
        return delivery.state
    delivery.last_error = error[:500]
    fields = ["last_error"]
    if delivery.attempts >= max_attempts():
        delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
        fields += ["state", "next_attempt_at"]
        logger.error("delivery #%s (%s to %s) failed after %s attempts", delivery.pk, delivery.channel,
                     delivery.address_masked, delivery.attempts)
    delivery.save(update_fields=fields)
    return delivery.state


def deliveries_due(now: dt.datetime | None = None) -> list[int]:
    """Ids of pending deliveries whose next attempt has come."""
    now = now or timezone.now()
    return list(Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
                .order_by("next_attempt_at").values_list("pk", flat=True)[:500])


@transaction.atomic
def delivery_retry(*, actor, delivery: Delivery) -> Delivery:
    """Put a failed delivery back to pending with a fresh count of attempts and send it after commit.

    Audit: notifications.delivery.retried (before/after: state, attempts, last error).
    Raises DomainError notifications.delivery.not_failed if it is not in the failed state.
    """
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.state != DeliveryState.FAILED:
        raise DomainError.single("notifications.delivery.not_failed", "该通知未处于发送失败状态，无需重发",
                                 "this delivery has not failed; there is nothing to retry")
    before = {"state": delivery.state, "attempts": delivery.attempts, "last_error": delivery.last_error}
    delivery.state, delivery.attempts, delivery.last_error = DeliveryState.PENDING, 0, ""
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["state", "attempts", "last_error", "next_attempt_at"])
    audit.record(actor=actor, action=RETRIED, target=delivery, before=before,
                 after={"state": delivery.state, "attempts": 0})
    _enqueue_on_commit(delivery.pk)
    return delivery


def message_mark_read(*, actor, message: Message) -> Message:
    """The recipient opened the message: set read_at once (later openings change nothing)."""
    if message.recipient_id != actor.pk:
        raise PermissionError("only the recipient marks a message read")
    if message.read_at is None:
        message.read_at = timezone.now()
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=message.read_at)
    return message
