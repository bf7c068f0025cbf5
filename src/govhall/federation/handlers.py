"""Operations this node answers: ``@handler("licenses.verify")`` registers a function.

A handler gets a ``Context`` (the authenticated peer and the request's case number, purpose and
message id) and the request body; it returns the answer body (a JSON object) or raises
``DomainError`` (answered as a signed error, HTTP 200) or ``NotFound``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .models import Peer


@dataclass(frozen=True)
class Context:
    peer: Peer
    message_id: str
    operation: str
    case_number: str
    purpose: str


@dataclass(frozen=True)
class Handler:
    operation: str
    func: Callable[[Context, dict], dict]
    idempotent: bool


HANDLERS: dict[str, Handler] = {}


def handler(operation: str, *, idempotent: bool = True):
    """Register ``func(ctx, body) -> dict`` for ``operation``. ``idempotent``: asking twice has the
    same effect as asking once, so the client may retry after a timeout."""

    def register(func):
        if operation in HANDLERS and HANDLERS[operation].func is not func:
            raise ValueError(f"federation operation {operation} registered twice")
        HANDLERS[operation] = Handler(operation, func, idempotent)
        return func

    return register


def is_idempotent(operation: str) -> bool:
    found = HANDLERS.get(operation)
    return found.idempotent if found else False
