"""Receiving side: check a signed request, dispatch it to its handler, sign the answer, log both.

Refusals (docs/federation.md, "Refusals"), in the order they are checked:

==================  ====  =======================================================
code                HTTP  when
==================  ====  =======================================================
too_large           413   the body exceeds GOVHALL_FEDERATION_MAX_BYTES
malformed/unsigned  400   not a well-formed signed request envelope
unknown_sender      403   the sender is not a trusted peer
sender_disabled     403   the sender is a peer that is disabled here
unknown_key         401   the key id is not one of the sender's (unrevoked) keys
bad_signature       401   the SM2 signature does not verify
wrong_receiver      400   the message is addressed to another node
stale_timestamp     401   the timestamp is outside the clock-skew window
missing_purpose     400   the request names no purpose
replay              409   a message with this id was already received from this sender
unknown_operation   404   no handler for the operation
==================  ====  =======================================================

Every answer, refusals included, is a response envelope signed by this node; the request and
the answer are both written to the message log.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.conf import settings

from govhall.core.errors import DomainError, NotFound
from govhall.crypto import keystore, sm

from . import envelope, selectors, services
from .handlers import HANDLERS, Context
from .models import MessageLog

logger = logging.getLogger(__name__)
Dir, Kind, Out = MessageLog.Direction, MessageLog.Kind, MessageLog.Outcome

REFUSALS = {
    "too_large": (413, "报文过大", "the message is too large"),
    "malformed": (400, "报文格式不正确", "the message is not a well-formed envelope"),
    "unsigned": (400, "报文未签名", "the message is not signed"),
    "unknown_sender": (403, "发送节点不是本节点的互信节点", "the sender is not a node trusted here"),
    "sender_disabled": (403, "发送节点已被停用", "the sender is disabled here"),
    "unknown_key": (401, "签名密钥不是发送节点登记的有效公钥", "the signing key is not a registered key of the sender"),
    "bad_signature": (401, "签名验证失败", "the signature does not verify"),
    "wrong_receiver": (400, "报文的接收节点不是本节点", "the message is addressed to another node"),
    "stale_timestamp": (401, "报文时间戳超出允许的时间窗口", "the timestamp is outside the accepted window"),
    "missing_purpose": (400, "请求未说明使用目的", "the request names no purpose"),
    "replay": (409, "重复的报文（报文编号已收到过）", "replayed message: this message id was received before"),
    "unknown_operation": (404, "本节点不提供该操作", "this node does not answer this operation"),
    "internal": (500, "处理请求时发生内部错误", "internal error while answering"),
}


@dataclass(frozen=True)
class Reply:
    status: int
    wire: bytes
    sm2_seconds: float
    total_seconds: float


def _error(code: str, detail: str = "") -> dict:
    _status, zh, en = REFUSALS[code]
    return {"code": f"federation.{code}", "message_zh": zh, "message_en": en, "field": "", "detail": detail[:300],
            "problems": []}


def _domain_error(exc: DomainError) -> dict:
    problems = [p.as_dict() for p in exc.problems]
    first = exc.problems[0] if exc.problems else None
    return {"code": first.code if first else "federation.error", "message_zh": first.message_zh if first else "",
            "message_en": first.message_en if first else "", "field": first.field if first else "",
            "detail": "", "problems": problems}


def receive(raw: bytes, *, declared_length: int | None = None) -> Reply:
    """Answer one request (bytes as received; ``declared_length`` when the body was too large to
    read). Never raises for anything the sender did; raises NotFound when this node has no federation
    key (it cannot sign any answer: the view answers 503, unsigned)."""
    keystore.active_key(envelope.KEY_PURPOSE)
    started = time.perf_counter()
    token = envelope.sm2_clock.set(0.0)
    try:
        status, sealed, rows = _receive(raw, started, declared_length)
        services.log_write(*rows)
        return Reply(status, sealed.wire, envelope.sm2_clock.get(), time.perf_counter() - started)
    finally:
        envelope.sm2_clock.reset(token)


def _in_row(*, parsed, message: dict, raw: bytes, outcome: str, reason: str = "", detail: str = "") -> MessageLog:
    return MessageLog(direction=Dir.IN, kind=Kind.REQUEST, peer=str(message.get("sender", ""))[:64],
                      message_id=str(message.get("id", ""))[:64], operation=str(message.get("operation", ""))[:64],
                      case_number=str(message.get("case_number", ""))[:60], purpose=str(message.get("purpose", ""))[:500],
                      outcome=outcome, reason=reason, detail=detail[:500],
                      signed_bytes=parsed.signed_bytes if parsed else None,
                      signature=parsed.signature if parsed else None, key_id=parsed.key_id if parsed else "",
                      digest=parsed.digest if parsed else sm.sm3_hex(raw), raw=raw)


def _answer(*, message: dict, request_digest: str, status: int, body=None, error=None, reason: str = "",
            started: float) -> tuple[envelope.Sealed, MessageLog]:
    reply = envelope.response_message(
        sender=selectors.node_code(), receiver=str(message.get("sender", ""))[:64],
        in_reply_to=str(message.get("id", ""))[:64], request_sm3=request_digest,
        operation=str(message.get("operation", ""))[:64], case_number=str(message.get("case_number", ""))[:60],
        body=body, error=error)
    sealed = envelope.seal(reply)
    outcome = Out.OK if error is None else (Out.REFUSED if reason in REFUSALS and reason != "internal" else Out.ERROR)
    row = MessageLog(direction=Dir.OUT, kind=Kind.RESPONSE, peer=reply["receiver"], message_id=reply["id"],
                     in_reply_to=reply["in_reply_to"], operation=reply["operation"], case_number=reply["case_number"],
                     purpose=str(message.get("purpose", ""))[:500], outcome=outcome,
                     reason=reason or (error or {}).get("code", "")[:64], signed_bytes=sealed.signed_bytes,
                     signature=sealed.signature, key_id=sealed.key_id, digest=sealed.digest, raw=sealed.wire,
                     http_status=status, duration_ms=int((time.perf_counter() - started) * 1000))
    return sealed, row


def _receive(raw: bytes, started: float, declared_length: int | None):
    def refuse(code: str, *, parsed=None, message=None, detail: str = ""):
        message = message or {}
        status = REFUSALS[code][0]
        logger.info("federation: refused %s from %s (%s)", code, str(message.get("sender", "?"))[:64], detail[:120])
        request_row = _in_row(parsed=parsed, message=message, raw=raw, outcome=Out.REFUSED, reason=code, detail=detail)
        sealed, row = _answer(message=message, request_digest=request_row.digest, status=status,
                              error=_error(code, detail), reason=code, started=started)
        return status, sealed, [request_row, row]

    if declared_length is not None or len(raw) > settings.GOVHALL_FEDERATION_MAX_BYTES:
        return refuse("too_large", detail=f"{declared_length or len(raw)} bytes")
    try:
        parsed = envelope.parse(raw, expect="request")
    except envelope.EnvelopeError as exc:
        return refuse(exc.code if exc.code in REFUSALS else "malformed", detail=exc.detail)
    message = parsed.message
    peer = selectors.peer(message["sender"], enabled_only=False)
    if peer is None:
        return refuse("unknown_sender", parsed=parsed, message=message)
    if not peer.enabled:
        return refuse("sender_disabled", parsed=parsed, message=message)
    key = selectors.peer_key(peer, parsed.key_id)
    if key is None:
        return refuse("unknown_key", parsed=parsed, message=message, detail=parsed.key_id)
    if not envelope.verify(key.public_key_pem, parsed.signed_bytes, parsed.signature):
        return refuse("bad_signature", parsed=parsed, message=message)
    if message["receiver"] != selectors.node_code():
        return refuse("wrong_receiver", parsed=parsed, message=message, detail=message["receiver"])
    if not envelope.within(message["timestamp"], settings.GOVHALL_FEDERATION_CLOCK_SKEW):
        return refuse("stale_timestamp", parsed=parsed, message=message, detail=message["timestamp"])
    if not message["purpose"].strip():
        return refuse("missing_purpose", parsed=parsed, message=message)
    if not services.replay_claim(peer.code, message["id"]):
        return refuse("replay", parsed=parsed, message=message, detail=message["id"])
    found = HANDLERS.get(message["operation"])
    if found is None:
        return refuse("unknown_operation", parsed=parsed, message=message, detail=message["operation"])

    request_row = _in_row(parsed=parsed, message=message, raw=raw, outcome=Out.OK)
    ctx = Context(peer=peer, message_id=message["id"], operation=message["operation"],
                  case_number=message["case_number"], purpose=message["purpose"])
    status, body, error, reason = 200, None, None, ""
    try:
        body = found.func(ctx, message["body"])
        envelope.canonical(body)  # must be JSON: fail here, not after answering
        if not isinstance(body, dict):
            raise TypeError("a handler answers a JSON object")
    except DomainError as exc:
        error, reason = _domain_error(exc), "domain_error"
    except NotFound:
        error, reason = {"code": "federation.not_found", "message_zh": "未找到", "message_en": "not found",
                         "field": "", "detail": "", "problems": []}, "not_found"
    except Exception:
        logger.exception("federation: handler %s failed", message["operation"])
        status, error, reason = 500, _error("internal"), "internal"
    sealed, row = _answer(message=message, request_digest=parsed.digest, status=status, body=body, error=error,
                          reason=reason, started=started)
    return status, sealed, [request_row, row]
