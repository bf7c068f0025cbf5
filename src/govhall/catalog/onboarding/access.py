"""Reads for the onboarding pages and API, scoped to the actor: regions, organs and catalogue entries
a catalogue administrator may register and complete. ``access_*`` answers NotFound both for what does
not exist and for what the actor may not see."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from govhall.core.errors import NotFound

from ..models import CatalogItem, ImplementationItem, Organ, Region
from ..scope import manageable_organs_q, manageable_region_prefixes, manageable_regions_q


def regions_in_scope(user) -> QuerySet[Region]:
    """Regions where ``user`` registers things (their region-scoped catalogue roles and below)."""
    return Region.objects.filter(manageable_regions_q(user)).select_related("parent").order_by("code")


def access_region(user, code: str) -> Region:
    region = regions_in_scope(user).filter(code=code).first()
    if region is None:
        raise NotFound(code)
    return region


def organs_in_scope(user, *, q: str = "", to_complete: bool = False) -> QuerySet[Organ]:
    """Organs ``user`` administers, with their number of items; ``to_complete``: only those without
    a credit code."""
    qs = (Organ.objects.filter(manageable_organs_q(user)).select_related("region")
          .annotate(item_count=Count("items")).order_by("region_id", "name"))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__icontains=q) | Q(org_code__icontains=q))
    if to_complete:
        qs = qs.filter(credit_code__isnull=True)
    return qs


def access_organ(user, pk: int) -> Organ:
    organ = Organ.objects.filter(manageable_organs_q(user), pk=pk).select_related("region").first()
    if organ is None:
        raise NotFound(str(pk))
    return organ


def catalog_items_in_scope(user, *, q: str = "", without_basic_code: bool = False) -> QuerySet[CatalogItem]:
    """Catalogue entries of regions where ``user`` registers things."""
    qs = (CatalogItem.objects.filter(manageable_regions_q(user, prefix="region__code")).select_related("region")
          .annotate(item_count=Count("implementations")).order_by("region_id", "basic_code", "local_code", "id"))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(basic_code__icontains=q) | Q(local_code__icontains=q))
    if without_basic_code:
        qs = qs.filter(basic_code__isnull=True)
    return qs


def access_catalog_item(user, pk: int) -> CatalogItem:
    item = catalog_items_in_scope(user).filter(pk=pk).first()
    if item is None:
        raise NotFound(str(pk))
    return item


def main_item_choices(user, organ: Organ | None = None) -> QuerySet[ImplementationItem]:
    """Items that may be a main item (主项): not themselves sub-items, of the user's organs."""
    qs = ImplementationItem.objects.filter(parent__isnull=True, organ__in=Organ.objects.filter(
        manageable_organs_q(user))).select_related("organ")
    if organ is not None:
        qs = qs.filter(organ=organ)
    return qs.order_by("organ__name", "key")


def can_register(user) -> bool:
    """Whether ``user`` registers regions, organs and catalogue entries anywhere."""
    return bool(manageable_region_prefixes(user))
