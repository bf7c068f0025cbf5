"""Electronic archives over the API: a case's archival package (metadata and the latest
four-property check results) and the package itself (the zipped BagIt bag). Scoped like cases:
staff with ``archives.package.view`` in the case's organ (or a region above it); anything else
answers 404, as if absent."""

from __future__ import annotations

import datetime as dt

from django.http import FileResponse
from ninja import Router, Schema, Status
from ninja.security import django_auth

from govhall.archives import selectors, storage
from govhall.archives.models import ArchivePackage
from govhall.archives.permissions import PACKAGE_VIEW
from govhall.core.errors import NotFound

from .permissions import permission
from .schemas import ErrorOut

router = Router(tags=["archives"], auth=django_auth)
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
ZIP = "application/zip"


class CheckOut(Schema):
    property: str
    check: str
    outcome: str
    detail: str
    at: dt.datetime


class PackageVersionOut(Schema):
    version: int
    created_at: dt.datetime
    state: str
    last_check: str
    sm3: str


class PackageOut(Schema):
    case_number: str
    version: int
    state: str
    item_code: str
    item_name: str
    organ: str
    archiving_organ: str
    applicant: str
    case_state: str
    result_code: str
    received_at: dt.datetime | None
    closed_at: dt.datetime | None
    size: int
    payload_files: int
    sha256: str
    sm3: str
    tagmanifest_sm3: str
    seal_id: str
    log_index: int | None
    retention_period: str
    retain_until: dt.date | None
    legal_hold: bool
    last_check: str
    last_checked_at: dt.datetime | None
    checks: list[CheckOut]
    versions: list[PackageVersionOut]


def _out(package: ArchivePackage) -> dict:
    return {
        "case_number": package.case_number, "version": package.version, "state": package.state,
        "item_code": package.item_code, "item_name": package.item_name, "organ": package.organ.name,
        "archiving_organ": package.archiving_organ.name, "applicant": package.applicant_masked,
        "case_state": package.case_state, "result_code": package.result_code, "received_at": package.received_at,
        "closed_at": package.closed_at, "size": package.size, "payload_files": package.payload_files,
        "sha256": package.sha256, "sm3": package.sm3, "tagmanifest_sm3": package.tagmanifest_sm3,
        "seal_id": package.seal.seal_id, "log_index": package.log_index, "retention_period": package.retention_period,
        "retain_until": package.retain_until, "legal_hold": package.legal_hold, "last_check": package.last_check,
        "last_checked_at": package.last_checked_at,
        "checks": [{"property": e.prop, "check": e.check_name, "outcome": e.outcome, "detail": e.detail, "at": e.at}
                   for e in selectors.latest_checks(package)],
        "versions": [{"version": v.version, "created_at": v.created_at, "state": v.state, "last_check": v.last_check,
                      "sm3": v.sm3} for v in selectors.versions(package)],
    }


@router.get("/archives/{case_number}", response={200: PackageOut, **ERRORS}, url_name="archive_detail",
            summary="办件的电子档案 / a case's archival package (metadata and check results)")
@permission(PACKAGE_VIEW)
def archive_detail(request, case_number: str, version: int | None = None):
    """The current package of the case (or ``version``), with the results of its latest
    four-property check and the list of its versions."""
    return Status(200, _out(selectors.access_package(request.user, case_number, version)))


@router.get("/archives/{case_number}/package", response={200: None, **ERRORS}, url_name="archive_package",
            summary="下载归档信息包 / the zipped BagIt package",
            openapi_extra={"responses": {200: {"description": "the package (ZIP of the BagIt bag)", "content": {
                ZIP: {"schema": {"type": "string", "format": "binary"}}}}}})
@permission(PACKAGE_VIEW)
def archive_package(request, case_number: str, version: int | None = None):
    """The package as stored: a ZIP whose single folder is the bag. Its SM3 is in the
    ``X-Content-SM3`` header and in the transparency log."""
    package = selectors.access_package(request.user, case_number, version)
    if package.state != ArchivePackage.State.STORED:
        raise NotFound(case_number)
    try:
        handle = storage.primary().open(package.storage_name, "rb")
    except (FileNotFoundError, OSError):
        raise NotFound(case_number) from None
    response = FileResponse(handle, as_attachment=True, filename=f"{package.bag_name}.zip", content_type=ZIP)
    response["X-Content-SM3"] = package.sm3
    return response
