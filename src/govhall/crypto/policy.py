"""Who may do what with the electronic seals: the rules used by the seal services (which refuse) and
by the pages (which decide what to show).

- A seal is managed (created, authorised, revoked) by the security administrators of its organ or
  of a region containing that organ, and by the platform itself (``core.actors.SYSTEM``).
- A person may be authorised to use a seal only when they are staff of the seal's organ; the
  platform authorises its own service accounts (the automatic sealer).

Which organs an actor manages is known to the catalogue and the identity contexts, which sit above
crypto: they register a directory here when Django starts (``register_directory``, called by
catalog.apps). Without one, nobody but the system manages any seal (deny by default).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from govhall.core.actors import is_system

# (actor) -> a queryset or list of the pks of the organs whose seals the actor manages
_managed_organs: Callable[[Any], Any] | None = None
# (user, organ_id) -> whether the user is staff of that organ
_is_staff_of: Callable[[Any, int], bool] | None = None


def register_directory(*, managed_organs: Callable[[Any], Any], is_staff_of: Callable[[Any, int], bool]) -> None:
    """Tell crypto which organs an actor manages the seals of and who is staff of an organ."""
    global _managed_organs, _is_staff_of
    _managed_organs, _is_staff_of = managed_organs, is_staff_of


def managed_organs(actor):
    """The pks of the organs whose seals ``actor`` manages (a queryset or list; empty: none). Not for
    the system actor, which manages every seal (callers test ``is_system`` first)."""
    if _managed_organs is None or not getattr(actor, "pk", None):
        return []
    return _managed_organs(actor)


def can_manage_organ_seals(actor, organ_id: int) -> bool:
    """Whether ``actor`` may create seals for the organ and manage its seals."""
    if is_system(actor):
        return True
    organs = managed_organs(actor)
    if hasattr(organs, "filter"):
        return organs.filter(pk=organ_id).exists()
    return organ_id in organs


def can_manage_seal(actor, seal) -> bool:
    """Whether ``actor`` may see the seal in the registry, authorise users for it and revoke it."""
    return can_manage_organ_seals(actor, seal.organ_id)


def is_staff_of_seal_organ(user, seal) -> bool:
    return bool(getattr(user, "pk", None)) and _is_staff_of is not None and _is_staff_of(user, seal.organ_id)


def can_authorise_seal_user(actor, seal, user) -> bool:
    """Whether ``actor`` may allow ``user`` to use ``seal``: a manager of the seal, for a staff member
    of the seal's organ; the system, for anyone (its own service accounts)."""
    if is_system(actor):
        return True
    return can_manage_seal(actor, seal) and is_staff_of_seal_organ(user, seal)


def can_unauthorise_seal_user(actor, seal) -> bool:
    return can_manage_seal(actor, seal)


def can_revoke_seal(actor, seal) -> bool:
    return can_manage_seal(actor, seal)
