"""SMS gateway interface (notifications and login codes both send SMS through it).

The platform sends SMS through one object implementing ``SmsGateway``; settings choose it by dotted
path (``GOVHALL_SMS_GATEWAY``, default the development simulator ``govhall.login.sms.SimulatorGateway``,
which keeps its outbox beside the login pages). A production gateway (a carrier's or a government SMS
platform's HTTP API) is a class with ``send(phone, text)`` that raises ``SmsNotSent`` on failure. The
simulator is the adapter "sms" of core/simulators.py: production refuses it unless
``GOVHALL_ALLOW_SIMULATORS`` names it.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from govhall.core import simulators
from govhall.identity.selectors import person_of

DEFAULT_GATEWAY = "govhall.login.sms.SimulatorGateway"  # a dotted path, resolved when sending
ADAPTER = simulators.declare(simulators.Adapter("sms", "GOVHALL_SMS_GATEWAY", DEFAULT_GATEWAY, "短信网关", "SMS gateway"))


class SmsNotSent(Exception):
    """The gateway refused or could not deliver the message."""


@runtime_checkable
class SmsGateway(Protocol):
    def send(self, phone: str, text: str) -> None: ...


def gateway() -> SmsGateway:
    instance = ADAPTER.configured_class()()
    if not isinstance(instance, SmsGateway):
        raise TypeError(f"{ADAPTER.path()} does not implement SmsGateway.send(phone, text)")
    return instance


def phone_of(user) -> str:
    """The user's mobile number, decrypted from their Person record; "" when they have none."""
    person = person_of(user)
    return person.reveal_phone() if person is not None else ""
