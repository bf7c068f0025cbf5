"""Calling another GovHall node: ``request(peer_code, operation, body, case_number=..., purpose=...)``.

Each attempt is a fresh signed request (new message id and timestamp: the receiver refuses a
repeated id). Connection failures are retried (the request never arrived); read timeouts and
502/503/504 only for idempotent operations. A circuit breaker per peer, kept in the database so
that every process shares it, fails calls at once after ``GOVHALL_FEDERATION_BREAKER_FAILURES``
consecutive failed calls, until ``GOVHALL_FEDERATION_BREAKER_COOLDOWN`` seconds have passed; then
one trial call decides. Every attempt and every answer (valid or not) goes to the message log.

Call it outside a database transaction that may roll back: the log rows commit with the caller.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from govhall.core.errors import NotFound
from govhall.crypto import sm

from . import envelope, selectors, services
from .errors import FederationError, PeerAnswerInvalid, PeerRefused, PeerUnavailable
from .handlers import is_idempotent
from .models import Breaker, MessageLog, Peer

__all__ = ["Answer", "FederationError", "PeerAnswerInvalid", "PeerRefused", "PeerUnavailable", "exchange",
           "request"]

logger = logging.getLogger(__name__)
Dir, Kind, Out = MessageLog.Direction, MessageLog.Kind, MessageLog.Outcome
PATH = "/federation/v1/messages"
RETRY_STATUSES = {502, 503, 504}
_local = threading.local()


@dataclass(frozen=True)
class Answer:
    """A verified answer: ``body``, and what proves it (the signed response and its key)."""

    peer: Peer
    body: dict
    request_id: str
    response_id: str
    key_id: str
    signed_at: str
    digest: str


def request(peer_code: str, operation: str, body: dict, *, case_number: str, purpose: str) -> dict:
    """The body of ``peer_code``'s signed answer to ``operation``.

    Raises PeerUnavailable (unknown/disabled peer, down, timeout, circuit open, no key here), PeerAnswerInvalid
    (unsigned, bad signature, malformed, mismatched request id or digest) or PeerRefused (the peer's
    signed error answer, a DomainError)."""
    return exchange(peer_code, operation, body, case_number=case_number, purpose=purpose).body


def _session() -> requests.Session:
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
        session.headers.update({"Content-Type": "application/json; charset=utf-8", "User-Agent": "GovHall-node/1"})
    return session


# --- circuit breaker ------------------------------------------------------------------------------


def _breaker_admit(code: str) -> bool:
    """Raise PeerUnavailable while the breaker is open; True when this call is the half-open trial
    or the breaker has recorded failures (so that success must reset it)."""
    state = Breaker.objects.filter(peer=code).values("failures", "open_until").first()
    if state is None or (state["open_until"] is None and state["failures"] == 0):
        return False
    if state["open_until"] is None:
        return True
    now = timezone.now()
    cooldown = dt.timedelta(seconds=settings.GOVHALL_FEDERATION_BREAKER_COOLDOWN)
    with transaction.atomic():
        breaker = Breaker.objects.select_for_update().get(peer=code)
        if breaker.open_until is not None and breaker.open_until > now:
            raise PeerUnavailable(code, "circuit_open", f"until {breaker.open_until:%Y-%m-%dT%H:%M:%SZ}")
        if breaker.open_until is not None:  # half-open: this caller takes the trial; others still see it open
            breaker.open_until, breaker.updated_at = now + cooldown, now
            breaker.save(update_fields=["open_until", "updated_at"])
    return True


def _breaker_success(code: str) -> None:
    Breaker.objects.filter(peer=code).update(failures=0, open_until=None, last_failure="", updated_at=timezone.now())


def _breaker_failure(code: str, why: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        breaker, _ = Breaker.objects.select_for_update().get_or_create(peer=code)
        breaker.failures += 1
        breaker.last_failure, breaker.updated_at = why[:200], now
        if breaker.failures >= settings.GOVHALL_FEDERATION_BREAKER_FAILURES:
            if breaker.open_until is None:
                logger.warning("federation: circuit to %s opened after %d failures", code, breaker.failures)
            breaker.open_until = now + dt.timedelta(seconds=settings.GOVHALL_FEDERATION_BREAKER_COOLDOWN)
        breaker.save()


# --- exchange -------------------------------------------------------------------------------------


def _request_row(sealed: envelope.Sealed, peer: Peer, *, outcome: str, reason: str = "", detail: str = "",
                 status: int | None = None, started: float) -> MessageLog:
    m = sealed.message
    return MessageLog(direction=Dir.OUT, kind=Kind.REQUEST, peer=peer.code, message_id=m["id"], operation=m["operation"],
                      case_number=m["case_number"], purpose=m["purpose"], outcome=outcome, reason=reason,
                      detail=detail[:500], signed_bytes=sealed.signed_bytes, signature=sealed.signature,
                      key_id=sealed.key_id, digest=sealed.digest, raw=sealed.wire, http_status=status,
                      duration_ms=int((time.perf_counter() - started) * 1000))


def _response_row(raw: bytes, parsed, peer: Peer, request_message: dict, *, outcome: str, reason: str = "",
                  detail: str = "", status: int | None = None) -> MessageLog:
    m = parsed.message if parsed else {}
    return MessageLog(direction=Dir.IN, kind=Kind.RESPONSE, peer=peer.code, message_id=str(m.get("id", ""))[:64],
                      in_reply_to=request_message["id"], operation=request_message["operation"],
                      case_number=request_message["case_number"], purpose=request_message["purpose"],
                      outcome=outcome, reason=reason, detail=detail[:500],
                      signed_bytes=parsed.signed_bytes if parsed else None,
                      signature=parsed.signature if parsed else None, key_id=parsed.key_id if parsed else "",
                      digest=parsed.digest if parsed else sm.sm3_hex(raw), raw=raw, http_status=status)


def _check_answer(peer: Peer, sealed: envelope.Sealed, raw: bytes):
    """The parsed, verified answer to ``sealed``; raises PeerAnswerInvalid with a reason."""
    try:
        parsed = envelope.parse(raw, expect="response")
    except envelope.EnvelopeError as exc:
        raise PeerAnswerInvalid(peer.code, exc.code if exc.code in {"unsigned", "bad_signature"} else "malformed",
                                exc.detail) from None
    key = selectors.peer_key(peer, parsed.key_id)
    if key is None:
        raise _Invalid(parsed, PeerAnswerInvalid(peer.code, "unknown_key", parsed.key_id))
    if not envelope.verify(key.public_key_pem, parsed.signed_bytes, parsed.signature):
        raise _Invalid(parsed, PeerAnswerInvalid(peer.code, "bad_signature"))
    m = parsed.message
    if m["sender"] != peer.code or m["receiver"] != selectors.node_code():
        raise _Invalid(parsed, PeerAnswerInvalid(peer.code, "mismatch", "sender or receiver"))
    if m["in_reply_to"] != sealed.message["id"] or m["request_sm3"] != sealed.digest:
        raise _Invalid(parsed, PeerAnswerInvalid(peer.code, "mismatch", "request id or SM3 digest"))
    if not envelope.within(m["timestamp"], settings.GOVHALL_FEDERATION_CLOCK_SKEW):
        raise _Invalid(parsed, PeerAnswerInvalid(peer.code, "stale_timestamp", m["timestamp"]))
    return parsed


class _Invalid(Exception):
    def __init__(self, parsed, error: PeerAnswerInvalid):
        super().__init__(str(error))
        self.parsed, self.error = parsed, error


def exchange(peer_code: str, operation: str, body: dict, *, case_number: str, purpose: str,
             retries: int | None = None, read_timeout: float | None = None) -> Answer:
    """``request`` with the proof: the verified answer and the ids and digest that identify it.
    ``retries`` and ``read_timeout`` override the settings for one call (e.g. a page a person waits on)."""
    peer = selectors.peer(peer_code, enabled_only=False)
    if peer is None:
        raise PeerUnavailable(peer_code, "unknown_peer")
    if not peer.enabled:
        raise PeerUnavailable(peer_code, "disabled")
    must_reset = _breaker_admit(peer.code)
    idempotent = is_idempotent(operation)
    attempts = 1 + max(0, settings.GOVHALL_FEDERATION_RETRIES if retries is None else retries)
    timeout = (settings.GOVHALL_FEDERATION_CONNECT_TIMEOUT,
               settings.GOVHALL_FEDERATION_READ_TIMEOUT if read_timeout is None else read_timeout)
    url = peer.base_url.rstrip("/") + PATH
    failure: PeerUnavailable | None = None
    for attempt in range(attempts):
        if attempt:
            time.sleep(settings.GOVHALL_FEDERATION_BACKOFF * (2 ** (attempt - 1)))
        try:
            sealed = envelope.seal(envelope.request_message(
                sender=selectors.node_code(), receiver=peer.code, operation=operation, body=body,
                case_number=case_number, purpose=purpose))
        except NotFound:  # this node has no federation key yet (govhall federation descriptor)
            raise PeerUnavailable(peer.code, "not_configured", "this node has no federation key") from None
        started = time.perf_counter()
        retry_allowed = True
        try:
            response = _session().post(url, data=sealed.wire, timeout=timeout, allow_redirects=False)
            raw, status = response.content, response.status_code
        except requests.ConnectTimeout as exc:
            failure = PeerUnavailable(peer.code, "timeout", f"connect: {type(exc).__name__}")
        except requests.ConnectionError as exc:
            failure = PeerUnavailable(peer.code, "down", type(exc).__name__)
        except requests.Timeout as exc:
            failure, retry_allowed = PeerUnavailable(peer.code, "timeout", f"read: {type(exc).__name__}"), idempotent
        except requests.RequestException as exc:
            failure, retry_allowed = PeerUnavailable(peer.code, "down", type(exc).__name__), idempotent
        else:
            if status in RETRY_STATUSES and not raw.lstrip().startswith(b"{"):
                failure, retry_allowed = PeerUnavailable(peer.code, "server_error", f"HTTP {status}"), idempotent
            else:
                return _settle(peer, sealed, raw, status, started, must_reset)
        services.log_write(_request_row(sealed, peer, outcome=Out.FAILED, reason=failure.reason, detail=failure.detail,
                                        started=started))
        if not retry_allowed:
            break
    _breaker_failure(peer.code, f"{failure.reason}: {failure.detail}")
    raise failure


def _settle(peer: Peer, sealed: envelope.Sealed, raw: bytes, status: int, started: float, must_reset: bool) -> Answer:
    try:
        parsed = _check_answer(peer, sealed, raw)
    except (PeerAnswerInvalid, _Invalid) as exc:
        error = exc.error if isinstance(exc, _Invalid) else exc
        parsed = exc.parsed if isinstance(exc, _Invalid) else None
        services.log_write(
            _request_row(sealed, peer, outcome=Out.FAILED, reason="answer_invalid", status=status, started=started),
            _response_row(raw, parsed, peer, sealed.message, outcome=Out.REFUSED, reason=error.reason,
                          detail=error.detail, status=status))
        logger.warning("federation: invalid answer from %s (%s)", peer.code, error.reason)
        _breaker_failure(peer.code, f"answer_invalid: {error.reason}")
        raise error from None
    m = parsed.message
    ok = m["status"] == "ok"
    services.log_write(
        _request_row(sealed, peer, outcome=Out.OK if ok else Out.REFUSED,
                     reason="" if ok else str(m["error"].get("code", ""))[:64], status=status, started=started),
        _response_row(raw, parsed, peer, sealed.message, outcome=Out.OK if ok else Out.ERROR,
                      reason="" if ok else str(m["error"].get("code", ""))[:64], status=status))
    if must_reset:
        _breaker_success(peer.code)
    if not ok:
        raise PeerRefused.from_answer(peer.code, m)
    return Answer(peer=peer, body=m["body"], request_id=sealed.message["id"], response_id=m["id"],
                  key_id=parsed.key_id, signed_at=m["timestamp"], digest=parsed.digest)
