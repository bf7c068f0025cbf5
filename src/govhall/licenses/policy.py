"""Who may do what with licences: the rules used by the licence services (which refuse) and by the
pages (which decide what to show).

- A licence's life cycle (suspend, reinstate, revoke, replace) is managed by the approvers (organ
  heads) of the issuing organ or of a region containing it, and by the platform itself
  (``core.actors.SYSTEM``: expiry, the demo). Anyone else does not see the licence (NotFound).
- Licence types are defined by the catalogue administrators of the defining organ.
- Share links are the holder's alone.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from govhall.catalog.models import Organ
from govhall.catalog.scope import manageable_organs_q, organs_q
from govhall.core.actors import is_system
from govhall.identity.roles import Role

LIFE_CYCLE_ROLES = (Role.APPROVER,)


def issuing_organs(actor) -> QuerySet[Organ]:
    """The organs whose licences ``actor`` manages (not for the system actor, which manages all)."""
    return Organ.objects.filter(organs_q(actor, roles=list(LIFE_CYCLE_ROLES)))


def licences_q(actor) -> Q:
    """A filter on Licence for the licences ``actor`` manages (everything for the system)."""
    if is_system(actor):
        return Q()
    if not getattr(actor, "pk", None):
        return Q(pk__in=[])
    return Q(issuer__in=issuing_organs(actor))


def can_manage_licence(actor, licence) -> bool:
    if is_system(actor):
        return True
    return issuing_organs(actor).filter(pk=licence.issuer_id).exists()


def can_suspend_licence(actor, licence) -> bool:
    return can_manage_licence(actor, licence)


def can_reinstate_licence(actor, licence) -> bool:
    return can_manage_licence(actor, licence)


def can_revoke_licence(actor, licence) -> bool:
    return can_manage_licence(actor, licence)


def can_replace_licence(actor, licence) -> bool:
    return can_manage_licence(actor, licence)


def can_define_licence_type(actor, organ) -> bool:
    """Catalogue administrators of the defining organ (or of a region containing it), and the system."""
    if is_system(actor):
        return True
    return Organ.objects.filter(manageable_organs_q(actor), pk=organ.pk).exists()


def can_share_licence(actor, licence) -> bool:
    """Only the holder creates and ends share links."""
    return bool(getattr(actor, "pk", None)) and licence.holder_user_id == actor.pk
