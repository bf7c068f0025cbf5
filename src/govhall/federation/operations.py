"""The operations every GovHall node answers (registered when the app is ready).

The federation protocol itself answers ``federation.ping``. The contexts above federation register
their own operations when they are ready (``<context>/federation_handlers.py``: ``licenses.verify``,
``sharing.lookup``), with ``handlers.handler`` and the body checks ``need`` of this module: federation
imports none of them."""

from __future__ import annotations

from govhall.core.errors import Problem

from .handlers import Context, handler


def need(body: dict, name: str, kind, problems: list[Problem], *, max_length: int = 200):
    value = body.get(name)
    ok = isinstance(value, kind) and (kind is not str or 0 < len(value) <= max_length)
    if kind is list:
        ok = ok and all(isinstance(v, str) and 0 < len(v) <= 100 for v in value) and len(value) <= 200
    if not ok:
        problems.append(Problem("federation.body", f"请求缺少或错误的字段 {name}", f"missing or invalid body field {name}",
                                name))
    return value


@handler("federation.ping")
def ping(ctx: Context, body: dict) -> dict:
    """A signed "here I am": checks keys, addresses and clocks both ways (``govhall federation ping``)."""
    from . import envelope, selectors

    return {"node_code": selectors.node_code(), "node_name": selectors.node_name(), "time": envelope.now_text()}
