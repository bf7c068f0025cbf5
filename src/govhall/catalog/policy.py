"""Who may do what with the catalogue: the rules the catalogue services apply (through ``scope``:
``ensure_can_manage`` and ``ensure_can_manage_region`` raise NotFound) and the pages use to decide
what to show.

- An organ's implementation items (drafts, publishing, retiring) are managed by the catalogue
  administrators of the organ or of a region containing it, and by the system.
- Drafts are read by any staff role scoped to the organ.
- Regions, organs and catalogue entries are registered by catalogue administrators scoped to a
  region containing the division concerned.
"""

from __future__ import annotations

from govhall.core.actors import is_system

from . import scope
from .models import Organ


def can_manage_organ_items(actor, organ) -> bool:
    if is_system(actor):
        return True
    return Organ.objects.filter(scope.manageable_organs_q(actor), pk=organ.pk).exists()


def can_manage_item(actor, item) -> bool:
    return can_manage_organ_items(actor, item.organ)


def can_view_organ_drafts(actor, organ) -> bool:
    if is_system(actor):
        return True
    return Organ.objects.filter(scope.viewable_organs_q(actor), pk=organ.pk).exists()


def can_register_in_region(actor, code: str) -> bool:
    """Regions, organs and catalogue entries at division ``code`` (which need not exist yet)."""
    return is_system(actor) or scope.can_manage_region(actor, code)
