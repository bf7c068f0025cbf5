"""The development SMS simulator, and the SMS gateway interface re-exported from
govhall.notifications.sms (where it lives: notifications and login codes both send SMS).

``SimulatorGateway`` writes each message to the log and to the SmsMessage outbox, which the demo-only
inbox page /account/dev/sms/ lists.
"""

from __future__ import annotations

import logging

from govhall.crypto.fields import mask_identifier
from govhall.notifications.sms import (  # noqa: F401  (re-exported for the login steps)
    ADAPTER,
    DEFAULT_GATEWAY,
    SmsGateway,
    SmsNotSent,
    gateway,
    phone_of,
)

logger = logging.getLogger("govhall.login.sms")


class SimulatorGateway:
    """Development gateway: writes the message to the log and to the SmsMessage outbox, which the
    demo-only inbox page /account/dev/sms/ lists. Never use it in production."""

    simulator = True

    def send(self, phone: str, text: str) -> None:
        from .models import SmsMessage

        SmsMessage.objects.create(phone=phone, text=text)
        logger.info("simulated SMS to %s (%d characters)", mask_identifier(phone, 3, 4), len(text))
