"""Archive reads, scoped to the actor: packages of the organs where they may view archives."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from govhall.core.errors import NotFound
from govhall.crypto import fields

from . import scope
from .models import ArchivePackage, DisposalList, PackageEvent
from .permissions import DISPOSAL_APPROVE, PACKAGE_VIEW
from .services import APPLICANT_INDEX_FIELD


def visible_packages(user) -> QuerySet[ArchivePackage]:
    return ArchivePackage.objects.filter(organ_id__in=scope.organ_ids(user, PACKAGE_VIEW))


def search(user, *, case_number: str = "", item: str = "", organ: int | None = None, applicant: str = "",
           date_from=None, date_to=None, current_only: bool = True) -> QuerySet[ArchivePackage]:
    """Packages by case number (prefix), item (code or words of its name), organ, closing date and
    applicant (the exact name, through its blind index: names are not stored in clear)."""
    qs = visible_packages(user).select_related("organ")
    if current_only:
        qs = qs.filter(current=True)
    if case_number.strip():
        qs = qs.filter(case_number__startswith=case_number.strip())
    if item.strip():
        qs = qs.filter(Q(item_code=item.strip()) | Q(item_name__icontains=item.strip()))
    if organ:
        qs = qs.filter(organ_id=organ)
    if applicant.strip():
        qs = qs.filter(applicant_index=fields.blind_index(applicant.strip(), APPLICANT_INDEX_FIELD))
    if date_from:
        qs = qs.filter(closed_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(closed_at__date__lte=date_to)
    return qs.order_by("-closed_at", "-pk")


def access_package(user, case_number: str, version: int | None = None) -> ArchivePackage:
    """The case's current package (or the given version) if the user may see it; NotFound otherwise."""
    qs = visible_packages(user).select_related("organ", "archiving_organ", "seal").filter(case_number=case_number)
    package = qs.filter(version=version).first() if version else qs.filter(current=True).first()
    if package is None:
        raise NotFound(case_number)
    return package


def versions(package: ArchivePackage) -> list[ArchivePackage]:
    return list(ArchivePackage.objects.filter(case_number=package.case_number).order_by("version"))


def events_of(package: ArchivePackage) -> list[PackageEvent]:
    return list(package.events.order_by("at", "pk"))


def latest_checks(package: ArchivePackage) -> list[PackageEvent]:
    """The results of the package's latest four-property run."""
    last = package.events.filter(event_type="four-property check").order_by("-at", "-pk").first()
    if last is None:
        return []
    return list(package.events.filter(run=last.run).order_by("pk"))


def disposal_lists(user) -> QuerySet[DisposalList]:
    organs = set(scope.organ_ids(user, PACKAGE_VIEW)) | set(scope.organ_ids(user, DISPOSAL_APPROVE))
    return DisposalList.objects.filter(organ_id__in=organs).select_related("organ", "proposed_by", "decided_by")


def access_disposal(user, pk: int) -> DisposalList:
    disposal = disposal_lists(user).filter(pk=pk).first()
    if disposal is None:
        raise NotFound(str(pk))
    return disposal
