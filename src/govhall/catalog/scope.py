"""Who may manage which organ's catalogue: catalogue administrators of that organ, or of a region
that contains it. Reads of other organs' drafts answer 404 (see selectors.access_item)."""

from __future__ import annotations

from django.db.models import Q

from govhall.core.errors import NotFound
from govhall.identity.roles import Role

from .models import Organ


def manageable_organs_q(user) -> Q:
    """A filter on Organ for the organs whose catalogue ``user`` administers."""
    return _organs_q(user, roles=[Role.CATALOG_ADMIN])


def viewable_organs_q(user) -> Q:
    """A filter on Organ for the organs whose catalogue (drafts included) ``user`` may read: any
    staff role scoped to the organ or to a region containing it."""
    return _organs_q(user, roles=None)


def organs_q(user, *, roles) -> Q:
    """A filter on Organ for the organs where ``user`` holds one of ``roles`` (None: any role)."""
    return _organs_q(user, roles=roles)


def _organs_q(user, roles) -> Q:
    if not getattr(user, "pk", None):
        return Q(pk__in=[])
    q = Q(pk__in=[])
    staff_roles = user.staff_roles.select_related("region")
    if roles is not None:
        staff_roles = staff_roles.filter(role__in=roles)
    for role in staff_roles:
        if role.organ_id:
            q |= Q(pk=role.organ_id)
        if role.region_id:
            q |= Q(region__code__startswith=role.region.prefix)
    return q


def ensure_can_manage(actor, organ: Organ) -> None:
    """System actors (None: demo loader, CLI import with --system) may; users need the scope."""
    if actor is None:
        return
    if not Organ.objects.filter(manageable_organs_q(actor), pk=organ.pk).exists():
        raise NotFound("organ not in the actor's catalogue scope")
