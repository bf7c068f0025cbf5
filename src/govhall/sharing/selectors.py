"""Reads of the data sharing platform, scoped to the reader (404 for what is outside the scope)."""

from __future__ import annotations

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncMonth

from govhall.catalog.codesets import FETCHED_SOURCES, MaterialSource
from govhall.catalog.models import Organ
from govhall.core.errors import NotFound
from govhall.identity.selectors import legal_persons_of, person_of
from govhall.licenses.models import LicenceType

from . import keys, scope
from .codes import ShareClass, SubjectKind
from .models import AccessRecord, DataResource, Discrepancy, FetchableRequest, MaterialFetch, SharingAgreement


def resources() -> QuerySet[DataResource]:
    return DataResource.objects.select_related("provider_organ", "current_dataset")


def access_resource(code: str) -> DataResource:
    resource = resources().filter(code=code).first()
    if resource is None:
        raise NotFound(code)
    return resource


def manageable_resource(user, code: str) -> DataResource:
    resource = resources().filter(code=code, provider_organ__in=_managed(user)).first()
    if resource is None:
        raise NotFound(code)
    return resource


def _managed(user):
    return Organ.objects.filter(scope.managed_organs_q(user))


def agreements_of(user) -> QuerySet[SharingAgreement]:
    organs = _managed(user)
    return (SharingAgreement.objects.filter(Q(resource__provider_organ__in=organs) | Q(requester_organ__in=organs))
            .select_related("resource__provider_organ", "requester_organ", "requested_by", "decided_by"))


def access_agreement(user, pk: int) -> SharingAgreement:
    agreement = agreements_of(user).filter(pk=pk).first()
    if agreement is None:
        raise NotFound(str(pk))
    return agreement


def discrepancies_of(user) -> QuerySet[Discrepancy]:
    return (Discrepancy.objects.filter(resource__provider_organ__in=_managed(user))
            .select_related("resource", "record", "decided_by"))


def access_discrepancy(user, pk: int) -> Discrepancy:
    d = discrepancies_of(user).filter(pk=pk).first()
    if d is None:
        raise NotFound(str(pk))
    return d


def access_records_of(user) -> QuerySet[AccessRecord]:
    organs = Organ.objects.filter(scope.viewable_organs_q(user))
    return (AccessRecord.objects.filter(Q(provider_organ__in=organs) | Q(requester_organ__in=organs))
            .select_related("requester_organ", "provider_organ"))


def fetchable_requests_of(user) -> QuerySet[FetchableRequest]:
    organs = Organ.objects.filter(scope.viewable_organs_q(user))
    return FetchableRequest.objects.filter(organ__in=organs).select_related("case", "material", "organ", "officer")


def subject_indexes(user) -> list[str]:
    """The blind indexes of the user as a data subject: their resident ID and the organisations
    they represent."""
    person = person_of(user)
    if person is None:
        return []
    found = []
    if person.id_type == "resident_id":
        found.append(keys.subject_index(SubjectKind.RESIDENT_ID, person.reveal_id_number()))
    for code in legal_persons_of(person).values_list("credit_code", flat=True):
        found.append(keys.subject_index(SubjectKind.CREDIT_CODE, code))
    return found


def data_use_of(user) -> QuerySet[AccessRecord]:
    """"Who used my data": every request about the user (or their organisations), newest first."""
    return (AccessRecord.objects.filter(subject_index__in=subject_indexes(user))
            .select_related("requester_organ", "application__case").order_by("-at", "-pk"))


def attach_provenance(rows) -> None:
    """Set ``row.sharing_fetch`` (MaterialFetch or None) on application-material rows, one query."""
    rows = list(rows)
    if not rows:
        return
    fetches = {f.application_material_id: f for f in
               MaterialFetch.objects.filter(application_material_id__in=[r.pk for r in rows])}
    for row in rows:
        row.sharing_fetch = fetches.get(row.pk)


def fetchable_material_counts(materials) -> dict:
    """How many of a guide's materials are fetched for a typical applicant: shared-data materials
    whose resource is registered and shared, and e-licence materials whose type is registered."""
    materials = list(materials)
    codes = {m.data_resource_code for m in materials if m.source == MaterialSource.SHARED_DATA}
    types = {m.licence_type_code for m in materials if m.source == MaterialSource.E_LICENCE}
    shared = set(DataResource.objects.filter(code__in=codes).exclude(share_class=ShareClass.NOT_SHARED)
                 .values_list("code", flat=True)) if codes else set()
    licences = set(LicenceType.objects.filter(type_code__in=types).values_list("type_code", flat=True)) if types \
        else set()
    fetched = [m for m in materials if (m.source == MaterialSource.SHARED_DATA and m.data_resource_code in shared)
               or (m.source == MaterialSource.E_LICENCE and m.licence_type_code in licences)]
    declared = [m for m in materials if m.source in FETCHED_SOURCES]
    return {"total": len(materials), "fetched": len(fetched), "declared": len(declared),
            "fetched_ids": {m.pk for m in fetched}}


def figures(*, organ: str = "", item: str = "", month_from=None, month_to=None) -> list[dict]:
    """"Materials saved": per item, organ and month (of submission), the materials fetched through
    sharing versus the materials uploaded by applicants, over submitted applications."""
    # cases' material rows, reached through the fetch rows' relation: sharing sits below cases
    ApplicationMaterial = MaterialFetch._meta.get_field("application_material").related_model  # noqa: N806
    Application = ApplicationMaterial._meta.get_field("application").related_model  # noqa: N806
    Status = ApplicationMaterial.Status
    qs = ApplicationMaterial.objects.filter(application__state=Application.State.SUBMITTED,
                                            status__in=[Status.TO_FETCH, Status.UPLOADED])
    if organ:
        qs = qs.filter(application__item__organ__credit_code=organ)
    if item:
        qs = qs.filter(application__item__code=item)
    if month_from:
        qs = qs.filter(application__submitted_at__date__gte=month_from)
    if month_to:
        qs = qs.filter(application__submitted_at__date__lt=month_to)
    rows = (qs.annotate(month=TruncMonth("application__submitted_at"))
            .values("month", "application__item__code", "application__item__organ__name",
                    "application__item__organ__credit_code")
            .annotate(fetched=Count("pk", filter=Q(status=Status.TO_FETCH)),
                      uploaded=Count("pk", filter=Q(status=Status.UPLOADED)),
                      item_name=Max("application__version__name"))
            .order_by("-month", "application__item__organ__name", "application__item__code"))
    out = []
    for r in rows:
        total = r["fetched"] + r["uploaded"]
        out.append({"month": r["month"].strftime("%Y-%m") if r["month"] else "", "item_code": r["application__item__code"],
                    "item_name": r["item_name"], "organ": r["application__item__organ__name"],
                    "organ_code": r["application__item__organ__credit_code"], "fetched": r["fetched"],
                    "uploaded": r["uploaded"], "saved_share": round(r["fetched"] / total, 3) if total else 0.0})
    return out
