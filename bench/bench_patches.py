"""Candidate changes to src/, applied by monkeypatching so that before and after can be measured on
the same data (GOVHALL_BENCH_VARIANT in the server's environment; ``--variant`` of submit_load.py).

submit-lock-self: ``services.application_submit`` locks the application with
``select_for_update().select_related("version", "item")``, which on PostgreSQL is ``FOR UPDATE`` of
*every* joined row: the implementation item and its version too. Concurrent submits of one item then
queue behind each other for their whole transaction, and a transaction that inserts a row referencing
that item (a new draft, a case) while holding the audit-chain head deadlocks with a submit waiting for
the head. The candidate passes ``of=("self",)`` (lock the application row only), here by defaulting
``of`` for Application querysets.
"""

from __future__ import annotations

import os


def apply(variant: str | None = None) -> str:
    variant = variant if variant is not None else os.environ.get("GOVHALL_BENCH_VARIANT", "")
    if variant == "submit-lock-self":
        from django.db.models import QuerySet

        from govhall.cases.models import Application

        original = QuerySet.select_for_update
        if getattr(original, "bench_patched", False):
            return variant

        def select_for_update(self, nowait=False, skip_locked=False, of=(), no_key=False):
            if not of and self.model is Application:
                of = ("self",)
            return original(self, nowait=nowait, skip_locked=skip_locked, of=of, no_key=no_key)

        select_for_update.bench_patched = True
        QuerySet.select_for_update = select_for_update
    elif variant:
        raise ValueError(f"unknown variant {variant!r}")
    return variant
