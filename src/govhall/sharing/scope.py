"""Whose data an administrator manages: data-resource administrators of the provider organ, or of
a region containing it. Anything else answers 404, as if absent."""

from __future__ import annotations

from django.db.models import Q

from govhall.catalog.models import Organ
from govhall.catalog.scope import organs_q
from govhall.core.actors import is_system
from govhall.core.errors import NotFound
from govhall.identity.roles import Role


def managed_organs_q(user) -> Q:
    return organs_q(user, roles=[Role.DATA_ADMIN])


def viewable_organs_q(user) -> Q:
    """Organs whose sharing records a staff member may read (any role scoped to them)."""
    return organs_q(user, roles=None)


def managed_organ_ids(user) -> set[int]:
    return set(Organ.objects.filter(managed_organs_q(user)).values_list("pk", flat=True))


def manages(actor, organ: Organ) -> bool:
    """The system (``core.actors.SYSTEM``; None: demo loader, peers) does; users need the organ in scope."""
    if is_system(actor):
        return True
    return Organ.objects.filter(managed_organs_q(actor), pk=organ.pk).exists()


def ensure_manages(actor, organ: Organ) -> None:
    """NotFound unless ``actor`` manages the organ's data resources (``manages``)."""
    if not manages(actor, organ):
        raise NotFound("organ not in the actor's data-resource scope")
