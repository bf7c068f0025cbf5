"""E-mail and SMS of a notification, planned after the notifying transaction commits (core/events.py):
``notification.created`` → one Delivery per channel, each sent by its own task. Idempotent: a message
that has its deliveries gets no more."""

from __future__ import annotations

from govhall.core import events

from . import services


@events.subscriber("notifications.deliveries", on=[services.MESSAGE_CREATED])
def plan_deliveries(event: events.Event) -> None:
    services.plan_deliveries(event.payload["message_id"])
