"""Who may manage which organ's catalogue: catalogue administrators of that organ, or of a region
that contains it. Reads of other organs' drafts answer 404 (see selectors.access_item)."""

from __future__ import annotations

from django.db.models import Q

from govhall.core.errors import NotFound
from govhall.identity.roles import Role

from .models import Organ


def manageable_organs_q(user) -> Q:
    """A filter on Organ for the organs whose catalogue ``user`` administers."""
    if not getattr(user, "pk", None):
        return Q(pk__in=[])
    q = Q(pk__in=[])
    for role in user.staff_roles.filter(role=Role.CATALOG_ADMIN).select_related("region"):
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
