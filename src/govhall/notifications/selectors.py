"""Reads: a user's inbox (only their own messages) and the failed deliveries for staff."""

from __future__ import annotations

from django.db.models import QuerySet

from govhall.core.errors import NotFound

from .models import Delivery, DeliveryState, Message


def inbox_of(user) -> QuerySet[Message]:
    """The user's messages, newest first."""
    return Message.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user) -> int:
    return Message.objects.filter(recipient=user, read_at__isnull=True).count()


def access_message(user, pk: int) -> Message:
    """The user's own message; NotFound for another user's as for a missing one."""
    message = Message.objects.filter(pk=pk, recipient=user).first() if user.is_authenticated else None
    if message is None:
        raise NotFound
    return message


def failed_deliveries() -> QuerySet[Delivery]:
    """Deliveries that gave up, most recent failure first."""
    return (Delivery.objects.filter(state=DeliveryState.FAILED).select_related("message")
            .order_by("-last_attempt_at", "-id"))


def access_delivery(pk: int) -> Delivery:
    delivery = Delivery.objects.filter(pk=pk).first()
    if delivery is None:
        raise NotFound
    return delivery
