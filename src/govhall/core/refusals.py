"""A refusal that stays on record although the refused change rolls back.

A service refuses by raising ``DomainError``; its transaction rolls back and takes with it whatever
was written inside, including an audit event of the refusal. Some refusals must be kept (a failed
identity verification, a licence the registry refused to issue, a correction notice that asked for a
material the organ can fetch: supervision reads them). The one way to keep them::

    @refusals.keeping            # outside the transaction
    @transaction.atomic
    def some_service(...):
        ...
        refusals.refuse(problems, record=lambda: audit.record(actor=actor, action="x.refused", ...))

``refuse`` raises the DomainError carrying ``record``; ``keeping`` catches it once the decorated
function's transaction has rolled back and runs every record in a transaction of its own, then
re-raises. Called from code that holds no transaction (a view, a task), that transaction commits at
once; called inside a caller's transaction, the record joins it (it is kept unless the caller rolls
back too: a caller that wants it kept whatever happens is itself decorated ``keeping``). A refusal
raised where no ``keeping`` is active (the service checks before opening its transaction) writes its
record at once the same way. Records run once, however many ``keeping`` layers the error passes.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import NoReturn

from django.db import connection, transaction

from .errors import DomainError, Problem

log = logging.getLogger("govhall.refusals")

_keepers: ContextVar[int] = ContextVar("govhall_refusal_keepers", default=0)


def refuse(problems: Iterable[Problem] | DomainError, *, record: Callable[[], object]) -> NoReturn:
    """Raise the refusal (``problems`` or a DomainError to re-raise) with ``record`` to be kept."""
    exc = problems if isinstance(problems, DomainError) else DomainError(list(problems))
    exc.kept = [*getattr(exc, "kept", []), record]
    if _keepers.get() == 0:
        write_kept(exc)
    raise exc


def write_kept(exc: BaseException) -> int:
    """Run the records a refusal carries (each once) in a transaction of their own; how many ran."""
    records = list(getattr(exc, "kept", None) or [])
    if not records:
        return 0
    exc.kept = []
    nested = connection.in_atomic_block
    with transaction.atomic():
        for record in records:
            record()
    if nested:
        log.info("refusal kept inside the caller's transaction: %s", exc)
    return len(records)


def keeping(func):
    """Keep the records of the refusals ``func`` raises (see the module's text)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        token = _keepers.set(_keepers.get() + 1)
        try:
            return func(*args, **kwargs)
        except DomainError as exc:
            _keepers.reset(token)
            token = None
            if _keepers.get() == 0 or not connection.in_atomic_block:
                write_kept(exc)
            raise
        finally:
            if token is not None:
                _keepers.reset(token)

    return wrapper
