"""TOTP (RFC 6238) over HOTP (RFC 4226): pure functions, no database.

Defaults match every common authenticator app: HMAC-SHA1, 30-second steps, 6 digits.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6


def new_secret() -> str:
    """160 random bits as unpadded base32, the form authenticator apps accept."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret_b32: str) -> bytes:
    cleaned = secret_b32.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    mac = hmac.new(key, struct.pack(">Q", counter), getattr(hashlib, digest)).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def time_step(unix_time: float) -> int:
    return int(unix_time // STEP_SECONDS)


def code_at(secret_b32: str, unix_time: float) -> str:
    return hotp(_key(secret_b32), time_step(unix_time))


def matching_step(secret_b32: str, code: str, unix_time: float, window: int = 1) -> int | None:
    """The time step (now ± ``window`` steps, for clock drift) whose code equals ``code``, else None."""
    code = (code or "").strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    key, now = _key(secret_b32), time_step(unix_time)
    for step in range(now - window, now + window + 1):
        if hmac.compare_digest(hotp(key, step), code):
            return step
    return None


def provisioning_uri(secret_b32: str, account: str, issuer: str) -> str:
    """The ``otpauth://`` URI that authenticator apps import (usually from a QR code)."""
    label = quote(f"{issuer}:{account}")
    query = urlencode({"secret": secret_b32, "issuer": issuer, "algorithm": "SHA1",
                       "digits": DIGITS, "period": STEP_SECONDS}, quote_via=quote)
    return f"otpauth://totp/{label}?{query}"
