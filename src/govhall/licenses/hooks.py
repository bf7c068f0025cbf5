"""The one place where licences reach the transparency log (govhall.translog): every issuance and
status change is appended inside the caller's transaction, so a licence never exists unlogged."""

from __future__ import annotations

from govhall.translog import services as translog


def log_event(kind: str, payload: dict) -> int:
    """Append ``{kind, payload}`` to the transparency log; the new entry's index."""
    return translog.append(kind=kind, payload=payload).index
