"""Fees: amounts from the catalogue's fee standards, order numbers, and the payment provider.

The item's fee items (``catalog.FeeItem``: name and a free-text standard such as "每件100元") give
the lines of a ``PaymentOrder``; ``amount_from_standard`` reads the amount in fen when the text
states one plainly and returns None when a person has to decide (ranges, percentages, "first copy
free, 10 yuan per further copy" …).

Payment goes through one object implementing ``PaymentProvider``; settings choose its class by
dotted path (``GOVHALL_PAYMENT_PROVIDER``, default the local ``SimulatorProvider``). ``start(order)``
returns the URL where the payer pays; the provider later calls us back, and ``parse_callback(data)``
returns ``(order_number, provider_reference)`` or raises ``PaymentNotConfirmed`` when the callback's
signature does not verify. Changing the case and the order is the services' business, not this
module's. See docs/uploads-and-payments.md. The simulator is the adapter "payment" of
core/simulators.py: production refuses it unless ``GOVHALL_ALLOW_SIMULATORS`` names it.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.utils import timezone

from govhall.core import simulators
from govhall.crypto.sm import sm3_hmac

DEFAULT_PROVIDER = "govhall.cases.payments.SimulatorProvider"
ADAPTER = simulators.declare(simulators.Adapter(
    "payment", "GOVHALL_PAYMENT_PROVIDER", DEFAULT_PROVIDER, "在线支付", "payment provider"))
ORDER_PREFIX = "PAY"
ORDER_RANDOM_DIGITS = 12


class PaymentNotConfirmed(Exception):
    """The callback is not a valid confirmation of payment (bad or missing signature, wrong status)."""


# --- amounts --------------------------------------------------------------------------------------

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_AMOUNT = re.compile(rf"(?:人民币|RMB|CNY|¥)\s*({_NUMBER})\s*(?:元|圆)?|({_NUMBER})\s*(?:元|圆)", re.IGNORECASE)
_FREE = re.compile(r"免费|免收|免征|免缴|不收费|不收取|无收费|不予收费|无需缴费|无需付费|不需缴费|零元")
# words that make a stated amount conditional: a person must read the standard
_AMBIGUOUS = re.compile(r"\d\s*(?:-|~|～|—|–|至|到)\s*\d|%|‰|％|不超过|不高于|最高|最低|以上|以下|超过|每增加|"
                        r"另[收加]|另行|分别|按照?.*(?:比例|标准计)")


def amount_from_standard(text: str | None) -> int | None:
    """The amount in fen stated by a fee standard, or None when it cannot be read unambiguously.

    "每件100元" → 10000, "工本费 12.50 元" → 1250, "100元/证" → 10000, "￥80" → 8000, "免费" → 0.
    None: no amount, more than one different amount, a range, a percentage, a conditional amount
    ("第一本免费，每增加一本10元"), more than two decimals.
    """
    if not text:
        return None
    normal = unicodedata.normalize("NFKC", str(text)).strip()
    if not normal:
        return None
    if _AMBIGUOUS.search(normal):
        return None
    amounts = set()
    for match in _AMOUNT.finditer(normal):
        number = (match.group(1) or match.group(2)).replace(",", "")
        try:
            value = Decimal(number)
        except InvalidOperation:
            return None
        if value.as_tuple().exponent < -2:  # type: ignore[operator]
            return None
        amounts.add(int(value * 100))
    free = bool(_FREE.search(normal))
    if not amounts:
        return 0 if free else None
    if len(amounts) > 1:
        return None
    (fen,) = amounts
    if free and fen != 0:
        return None
    return fen


def fee_lines(fees: Iterable) -> tuple[list[dict], int | None]:
    """Order lines from fee items (``FeeItem`` rows or mappings with ``name`` and ``standard``).

    Returns ``(lines, total_fen)``; each line is ``{"name", "standard", "amount_fen"}`` with
    ``amount_fen`` None when the standard cannot be read, and then ``total_fen`` is None too.
    """
    lines: list[dict] = []
    total: int | None = 0
    for fee in fees:
        if isinstance(fee, Mapping):
            name, standard = str(fee.get("name", "")), str(fee.get("standard", ""))
        else:
            name, standard = str(fee.name), str(fee.standard)
        amount = amount_from_standard(standard)
        lines.append({"name": name, "standard": standard, "amount_fen": amount})
        total = None if amount is None or total is None else total + amount
    return lines, total


def format_fen(fen: int) -> str:
    """10000 → "100.00" (yuan, two decimals)."""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def new_order_number() -> str:
    """"PAY" + local yyyymmddHHMMSS + 12 random digits (29 characters). Unique in practice (two draws
    in one second collide with probability 10⁻¹²); the ``order_number`` column is unique and the
    service that creates an order draws again on the rare IntegrityError."""
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
    return f"{ORDER_PREFIX}{stamp}{secrets.randbelow(10**ORDER_RANDOM_DIGITS):0{ORDER_RANDOM_DIGITS}d}"


# --- providers ------------------------------------------------------------------------------------


@runtime_checkable
class PaymentProvider(Protocol):
    def start(self, order) -> str:
        """The URL where the payer pays this ``PaymentOrder``."""
        ...

    def parse_callback(self, data: Mapping) -> tuple[str, str]:
        """``(order_number, provider_reference)`` from a verified callback; else ``PaymentNotConfirmed``."""
        ...


class SimulatorProvider:
    """Local simulator: the payer "pays" on our own page /pay/simulator/<order_number>/, which posts
    the callback made by ``sign_callback``. The callback carries an HMAC-SM3 keyed from SECRET_KEY
    (``SECRET_KEY_FALLBACKS`` are accepted too, for key rotation), so a forged or altered callback is
    refused. Not a real payment: never enable it where real fees are due."""

    simulator = True
    PURPOSE = b"govhall.cases.payments.SimulatorProvider.callback"
    MAX_ORDER_NUMBER = 40
    MAX_REFERENCE = 80

    def start(self, order) -> str:
        return f"/pay/simulator/{order.order_number}/"

    def sign_callback(self, order_number: str, reference: str | None = None) -> dict:
        reference = reference or f"SIM{secrets.token_hex(8).upper()}"
        return {"order_number": order_number, "reference": reference, "status": "paid",
                "signature": self._mac(settings.SECRET_KEY, order_number, reference, "paid")}

    def parse_callback(self, data: Mapping) -> tuple[str, str]:
        try:
            order_number, reference = data.get("order_number"), data.get("reference")
            status, signature = data.get("status"), data.get("signature")
        except AttributeError as exc:
            raise PaymentNotConfirmed("callback data is not a mapping") from exc
        if not all(isinstance(v, str) and v for v in (order_number, reference, status, signature)):
            raise PaymentNotConfirmed("callback incomplete")
        if len(order_number) > self.MAX_ORDER_NUMBER or len(reference) > self.MAX_REFERENCE:
            raise PaymentNotConfirmed("callback fields too long")
        keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
        if not any(hmac.compare_digest(self._mac(key, order_number, reference, status), signature)
                   for key in keys):
            raise PaymentNotConfirmed("callback signature does not verify")
        if status != "paid":
            raise PaymentNotConfirmed(f"payment not completed: {status}")
        return order_number, reference

    @classmethod
    def _mac(cls, secret, order_number: str, reference: str, status: str) -> str:
        secret_bytes = secret.encode() if isinstance(secret, str) else bytes(secret)
        key = sm3_hmac(secret_bytes, cls.PURPOSE)
        message = json.dumps([order_number, reference, status], ensure_ascii=False, separators=(",", ":"))
        return sm3_hmac(key, message.encode()).hex()


def provider() -> PaymentProvider:
    """The configured provider (``GOVHALL_PAYMENT_PROVIDER``, default the simulator)."""
    instance = ADAPTER.configured_class()()
    if not isinstance(instance, PaymentProvider):
        raise TypeError(f"{ADAPTER.path()} does not implement PaymentProvider.start(order) and parse_callback(data)")
    return instance
