"""Who may manage which organ's catalogue: catalogue administrators of that organ, or of a region
that contains it. Reads of other organs' drafts answer 404 (see selectors.access_item).

Registering regions, organs and catalogue entries (onboarding) needs a catalogue administrator
scoped to a region that contains the region concerned; an administrator of one organ may complete
that organ's own codes but registers nothing new."""

from __future__ import annotations

from django.db.models import Q

from govhall.core.actors import is_system
from govhall.core.errors import NotFound
from govhall.identity.roles import Role

from .models import Organ, Region


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
    """System actors (``core.actors.SYSTEM``; None: demo loader, CLI import with --system) may; users
    need the scope."""
    if is_system(actor):
        return
    if not Organ.objects.filter(manageable_organs_q(actor), pk=organ.pk).exists():
        raise NotFound("organ not in the actor's catalogue scope")


def manageable_region_prefixes(user) -> list[str]:
    """Code prefixes of the regions where ``user`` is a catalogue administrator (region-scoped roles)."""
    if not getattr(user, "pk", None):
        return []
    roles = user.staff_roles.filter(role=Role.CATALOG_ADMIN, region__isnull=False).select_related("region")
    return sorted({r.region.prefix for r in roles})


def manageable_regions_q(user, *, prefix: str = "code") -> Q:
    """A filter on Region (or, with ``prefix``, on a region code field) for the regions ``user``
    registers things in."""
    q = Q(pk__in=[])
    for p in manageable_region_prefixes(user):
        q |= Q(**{f"{prefix}__startswith": p})
    return q


def can_manage_region(actor, code: str) -> bool:
    """Whether ``actor`` (None: the system) may register regions, organs or catalogue entries at
    division ``code`` (which need not exist yet)."""
    if is_system(actor):
        return True
    return any(code.startswith(p) for p in manageable_region_prefixes(actor))


def ensure_can_manage_region(actor, region: Region | str) -> None:
    code = region if isinstance(region, str) else region.code
    if not can_manage_region(actor, code):
        raise NotFound("region not in the actor's catalogue scope")


def seal_manager_organs(actor):
    """The pks of the organs whose electronic seals ``actor`` manages: where the actor is a security
    administrator, of the organ or of a region containing it (registered with crypto.policy)."""
    return Organ.objects.filter(_organs_q(actor, roles=[Role.SECURITY_ADMIN])).values("pk")


def is_organ_staff(user, organ_id: int) -> bool:
    """Whether ``user`` holds a staff role in the organ itself (registered with crypto.policy)."""
    return user.staff_roles.filter(organ_id=organ_id).exists()
