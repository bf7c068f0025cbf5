"""The signed message envelope exchanged between GovHall nodes (docs/federation.md, "Message format").

Wire form (UTF-8 JSON)::

    {"message": {...}, "signature": {"algorithm": "SM2-SM3", "signer_id": "1234567812345678",
                                     "key_id": "...", "value": "<base64 DER SEQUENCE {r, s}>"}}

The signature covers ``canonical(message)``: the message as compact JSON with sorted keys, UTF-8,
non-ASCII characters as themselves, no NaN or infinities. The receiver recomputes the canonical
bytes from the parsed message and verifies them; those bytes are what the message log keeps.

Pure functions apart from ``sign`` (the key store) and the SM2 time accumulator ``sm2_clock``,
which the server reports in a ``Server-Timing`` header and the benchmark reads.
"""

from __future__ import annotations

import base64
import binascii
import contextvars
import datetime as dt
import json
import math
import time
import uuid
from dataclasses import dataclass
from functools import lru_cache

from govhall.crypto import keys, keystore, sm

VERSION = 1
ALGORITHM = "SM2-SM3"
SIGNER_ID = sm.DEFAULT_UID.decode("ascii")
KEY_PURPOSE = "federation.node"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

REQUEST_FIELDS = {"version", "type", "id", "sender", "receiver", "timestamp", "operation", "case_number",
                  "purpose", "body"}
RESPONSE_FIELDS = {"version", "type", "id", "in_reply_to", "request_sm3", "sender", "receiver", "timestamp",
                   "operation", "case_number", "status", "body", "error"}

# seconds spent in SM2 signing and verification in the current context (request or benchmark)
sm2_clock: contextvars.ContextVar[float] = contextvars.ContextVar("federation_sm2_clock", default=0.0)


class EnvelopeError(ValueError):
    """A message that is not a well-formed envelope. ``code``: a refusal code (docs/federation.md)."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code, self.detail = code, detail


def canonical(value) -> bytes:
    """The bytes that are signed: sorted keys, no spaces, UTF-8. Raises ValueError for NaN/inf."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime(TIME_FORMAT)


def parse_time(text: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(text, TIME_FORMAT).replace(tzinfo=dt.UTC)
    except (TypeError, ValueError) as exc:
        raise EnvelopeError("malformed", "timestamp must be UTC as YYYY-MM-DDTHH:MM:SS.ffffffZ") from exc


def now_text() -> str:
    return utc_text(dt.datetime.now(dt.UTC))


def request_message(*, sender: str, receiver: str, operation: str, body: dict, case_number: str,
                    purpose: str) -> dict:
    return {"version": VERSION, "type": "request", "id": str(uuid.uuid4()), "sender": sender,
            "receiver": receiver, "timestamp": now_text(), "operation": operation,
            "case_number": case_number or "", "purpose": purpose or "", "body": body}


def response_message(*, sender: str, receiver: str, in_reply_to: str, request_sm3: str, operation: str,
                     case_number: str, body: dict | None = None, error: dict | None = None) -> dict:
    return {"version": VERSION, "type": "response", "id": str(uuid.uuid4()), "in_reply_to": in_reply_to,
            "request_sm3": request_sm3, "sender": sender, "receiver": receiver, "timestamp": now_text(),
            "operation": operation, "case_number": case_number or "", "status": "error" if error else "ok",
            "body": body if error is None else None, "error": error}


@dataclass(frozen=True)
class Sealed:
    """A signed message: ``wire`` goes over HTTP; ``signed_bytes`` is what the signature covers."""

    message: dict
    signed_bytes: bytes
    key_id: str
    signature: bytes
    wire: bytes

    @property
    def digest(self) -> str:
        return sm.sm3_hex(self.signed_bytes)


def _add_sm2(seconds: float) -> None:
    sm2_clock.set(sm2_clock.get() + seconds)


def sign(signed_bytes: bytes) -> tuple[str, bytes]:
    """This node's signature (key store purpose ``federation.node``): ``(key_id, DER)``."""
    started = time.perf_counter()
    try:
        return keystore.sign(purpose=KEY_PURPOSE, data=signed_bytes)
    finally:
        _add_sm2(time.perf_counter() - started)


def seal(message: dict, signer=sign) -> Sealed:
    signed_bytes = canonical(message)
    key_id, signature = signer(signed_bytes)
    wire = canonical({"message": message, "signature": {
        "algorithm": ALGORITHM, "signer_id": SIGNER_ID, "key_id": key_id,
        "value": base64.b64encode(signature).decode("ascii")}})
    return Sealed(message, signed_bytes, key_id, signature, wire)


@lru_cache(maxsize=256)
def _public(pem: str) -> sm.SM2PublicKey:
    return keys.load_public_key(pem)


def verify(public_key_pem: str, signed_bytes: bytes, signature: bytes) -> bool:
    """True for a valid SM2 signature (SM3, signer id 1234567812345678); never raises."""
    started = time.perf_counter()
    try:
        return sm.sm2_verify(_public(public_key_pem), signed_bytes, signature)
    except (sm.CryptoError, ValueError):
        return False
    finally:
        _add_sm2(time.perf_counter() - started)


@dataclass(frozen=True)
class Parsed:
    message: dict
    signed_bytes: bytes
    key_id: str
    signature: bytes

    @property
    def digest(self) -> str:
        return sm.sm3_hex(self.signed_bytes)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not allowed")


def _text(message: dict, name: str, *, max_length: int, required: bool = True) -> str:
    value = message.get(name)
    if not isinstance(value, str) or len(value) > max_length or (required and not value):
        raise EnvelopeError("malformed", f"message.{name} must be a string of at most {max_length} characters")
    return value


def parse(raw: bytes, *, expect: str) -> Parsed:
    """Parse and check the shape of a wire envelope (``expect``: "request" or "response").

    Does not verify the signature (the caller knows which key to use). Raises EnvelopeError."""
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise EnvelopeError("malformed", "not UTF-8 JSON") from exc
    if not isinstance(data, dict) or set(data) != {"message", "signature"}:
        raise EnvelopeError("unsigned", "expected an object with exactly 'message' and 'signature'")
    message, signature = data["message"], data["signature"]
    if not isinstance(message, dict) or not isinstance(signature, dict):
        raise EnvelopeError("malformed", "message and signature must be objects")
    if signature.get("algorithm") != ALGORITHM or signature.get("signer_id", SIGNER_ID) != SIGNER_ID:
        raise EnvelopeError("bad_signature", f"signature algorithm must be {ALGORITHM} with signer id {SIGNER_ID}")
    key_id, value = signature.get("key_id"), signature.get("value")
    if not isinstance(key_id, str) or not key_id or len(key_id) > 64 or not isinstance(value, str):
        raise EnvelopeError("bad_signature", "signature.key_id and signature.value are required")
    try:
        signature_bytes = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EnvelopeError("bad_signature", "signature.value is not base64") from exc
    fields = REQUEST_FIELDS if expect == "request" else RESPONSE_FIELDS
    if set(message) != fields:
        raise EnvelopeError("malformed", f"a {expect} message has exactly the fields {sorted(fields)}")
    if message["version"] != VERSION or message["type"] != expect:
        raise EnvelopeError("malformed", f"expected a version {VERSION} {expect}")
    _text(message, "id", max_length=64)
    try:
        uuid.UUID(message["id"])
    except ValueError as exc:
        raise EnvelopeError("malformed", "message.id must be a UUID") from exc
    for name in ("sender", "receiver", "operation"):
        # a refusal of an unreadable request knows neither its sender nor its operation
        _text(message, name, max_length=64, required=expect == "request" or name == "sender")
    _text(message, "timestamp", max_length=40)
    parse_time(message["timestamp"])
    _text(message, "case_number", max_length=60, required=False)
    if expect == "request":
        _text(message, "purpose", max_length=500, required=False)
        if not isinstance(message["body"], dict):
            raise EnvelopeError("malformed", "message.body must be an object")
    else:
        _text(message, "in_reply_to", max_length=64, required=False)
        _text(message, "request_sm3", max_length=64)
        if message["status"] == "ok":
            if not isinstance(message["body"], dict) or message["error"] is not None:
                raise EnvelopeError("malformed", "an ok response has an object body and a null error")
        elif message["status"] == "error":
            error = message["error"]
            if not isinstance(error, dict) or not isinstance(error.get("code"), str) or message["body"] is not None:
                raise EnvelopeError("malformed", "an error response has an error object with a code and a null body")
        else:
            raise EnvelopeError("malformed", "message.status must be ok or error")
    try:
        signed_bytes = canonical(message)
    except ValueError as exc:
        raise EnvelopeError("malformed", "message is not canonicalisable JSON") from exc
    return Parsed(message, signed_bytes, key_id, signature_bytes)


def within(timestamp: str, skew_seconds: int, now: dt.datetime | None = None) -> bool:
    now = now or dt.datetime.now(dt.UTC)
    moment = parse_time(timestamp)
    return abs((now - moment).total_seconds()) <= skew_seconds and math.isfinite(skew_seconds)
