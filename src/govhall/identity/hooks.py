"""What identity learns from the contexts above it when Django starts (it imports none of them).

``register_item_codes(known)``: which implementation codes exist, for the item codes of an agent
mandate (registered by catalog.apps). Without a registration no code is known (deny by default).
This module imports no model, so an app config may import it at module level.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable


def _no_items(codes: Iterable[str]) -> set[str]:
    return set()


_known_item_codes: Callable[[list[str]], set[str]] = _no_items


def register_item_codes(known: Callable[[list[str]], set[str]]) -> None:
    """``known(codes) -> the set of those codes that name an implementation item``."""
    global _known_item_codes
    _known_item_codes = known


def known_item_codes(codes: list[str]) -> set[str]:
    return _known_item_codes(codes)
