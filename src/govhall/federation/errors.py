"""Errors of the federation client (re-exported by ``govhall.federation.client``).

- ``PeerUnavailable``: no answer now (unknown or disabled peer, connection refused, timeout, server
  error, circuit open). ``reason`` says which. Callers offer another way (e.g. "upload instead").
- ``PeerAnswerInvalid``: something answered, but not a valid signed answer to our request
  (unsigned, bad signature, malformed, wrong request id or digest). Nothing in it may be used.
- ``PeerRefused``: the peer answered with a signed error (it refused the request, or its handler
  raised a domain error); a ``DomainError`` carrying the peer's problems.
"""

from __future__ import annotations

from govhall.core.errors import DomainError, Problem


class FederationError(Exception):
    def __init__(self, peer: str, reason: str, detail: str = ""):
        super().__init__(f"{peer}: {reason}{' - ' + detail if detail else ''}")
        self.peer, self.reason, self.detail = peer, reason, detail


class PeerUnavailable(FederationError):
    """reason: unknown_peer | disabled | circuit_open | down | timeout | server_error | not_configured"""


class PeerAnswerInvalid(FederationError):
    """reason: unsigned | malformed | bad_signature | unknown_key | mismatch | stale_timestamp"""


class PeerRefused(DomainError):
    """The peer's signed error answer. ``code``: its error code; ``problems``: its problems."""

    peer: str = ""
    code: str = ""
    answer: dict | None = None

    @classmethod
    def from_answer(cls, peer: str, message: dict) -> PeerRefused:
        error = message.get("error") or {}
        problems = []
        for item in error.get("problems") or [error]:
            if isinstance(item, dict):
                problems.append(Problem(str(item.get("code", "federation.peer_error"))[:100],
                                        str(item.get("message_zh", ""))[:500], str(item.get("message_en", ""))[:500],
                                        str(item.get("field", ""))[:100]))
        exc = cls(problems or [Problem("federation.peer_error", "对方节点拒绝了请求", "the peer refused the request")])
        exc.peer, exc.code, exc.answer = peer, str(error.get("code", "")), message
        return exc
