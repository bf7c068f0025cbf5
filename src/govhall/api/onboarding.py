"""Onboarding over the API (docs/onboarding.md, docs/api.md): regions, organs, catalogue entries,
items with main items and sub-items, the table import (dry run, then commit) and the completeness
dashboard, for staff holding the catalogue-administrator permission ``catalog.onboard``.

Authentication is the platform session (cookie + CSRF token on writes), as for the case API. Each
endpoint parses, looks the object up through catalog.onboarding.access (404 outside the caller's
scope, as for what does not exist), calls one registry or catalogue service (which checks scope
again, audits and lists every problem: 400) and maps the result.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpResponse
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import django_auth
from pydantic import Field

from govhall.catalog import registry, services
from govhall.catalog.models import CatalogItem, ImplementationItem, Organ, Region
from govhall.catalog.onboarding import access, completeness
from govhall.catalog.onboarding.codes import read_division
from govhall.catalog.onboarding.importer import onboard
from govhall.catalog.onboarding.items import item_onboard
from govhall.catalog.permissions import ITEM_EDIT, ITEM_VIEW, ONBOARD
from govhall.catalog.selectors import access_item
from govhall.core.errors import DomainError, NotFound

from .permissions import permission
from .schemas import ErrorOut, ProblemOut

router = Router(tags=["catalogue onboarding"], auth=django_auth)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# --- schemas ---

class RegionIn(Schema):
    code: str = Field(max_length=12, description="6 或 9 位区划代码，或 12 位统计用区划代码（自动对应并保留原码）/ 6 or 9 "
                                                 "digits, or the 12-digit statistical code (mapped; kept)")
    name: str = Field(max_length=60)
    level: Literal["province", "city", "county", "township"] | None = Field(None, description="default: from the "
                                                                                               "code's layout")
    parent: str | None = Field(None, max_length=9, description="上级区划代码 / the parent's division code")


class RegionPatch(Schema):
    name: str = Field(max_length=60)


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None
    statistical_code: str = Field(description="the 12-digit code as published, when the code was mapped from it")
    derived: dict[str, str]


class OrganIn(Schema):
    name: str = Field(max_length=100)
    region: str = Field(max_length=12, description="区划代码 / division code (6, 9 or 12 digits)")
    credit_code: str | None = Field(None, max_length=18, description="null while unknown: the organ is then to be "
                                                                     "completed")
    org_code: str = Field("", max_length=10, description="legacy organisation code (GB 11714)")
    level: str | None = Field(None, max_length=1, description="default: from the region")
    nature: str = Field("", max_length=1)
    short_name: str = Field("", max_length=50)
    address: str = Field("", max_length=200)
    phone: str = Field("", max_length=50)
    hours: str = Field("", max_length=200)


class OrganPatch(Schema):
    name: str | None = Field(None, max_length=100)
    credit_code: str | None = Field(None, max_length=18)
    org_code: str | None = Field(None, max_length=10)
    level: str | None = Field(None, max_length=1)
    nature: str | None = Field(None, max_length=1)
    short_name: str | None = Field(None, max_length=50)
    address: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=50)
    hours: str | None = Field(None, max_length=200)


class OrganOut(Schema):
    id: int
    ref: str
    name: str
    region_code: str
    credit_code: str | None
    org_code: str
    to_complete: bool = Field(description="true while the credit code is unknown")
    source_codes: list[str] = Field(description="the department codes exactly as the onboarded list gave them")
    level: str
    nature: str
    derived: dict[str, str]


class CatalogItemIn(Schema):
    name: str = Field(max_length=200)
    item_type: str = Field(max_length=2)
    region: str = Field(max_length=9)
    basic_code: str | None = Field(None, max_length=12)
    local_code: str = Field("", max_length=100)
    legal_basis: str = ""
    exercise_levels: list[str] = Field(default_factory=list)
    supplementary: bool = False


class CatalogItemPatch(Schema):
    basic_code: str | None = Field(None, max_length=12)
    name: str | None = Field(None, max_length=200)
    item_type: str | None = Field(None, max_length=2)
    legal_basis: str | None = None
    exercise_levels: list[str] | None = None


class CatalogItemOut(Schema):
    id: int
    name: str
    item_type: str
    region_code: str
    basic_code: str | None
    local_code: str
    legal_basis: str
    exercise_levels: list[str]
    derived: dict[str, str]


class ItemIn(Schema):
    organ_id: int
    name: str = Field(max_length=200)
    item_type: str | None = Field(None, max_length=2, description="needed unless basic_code links a registered "
                                                                   "catalogue entry")
    basic_code: str | None = Field(None, max_length=12)
    local_code: str = Field("", max_length=100)
    implementation_code: str | None = Field(None, max_length=31)
    level: str | None = Field(None, max_length=1, description="default: from the organ's region")
    main_item: str | None = Field(None, max_length=100, description="key of the main item (主项)")
    location: str = ""
    hours: str = Field("", max_length=200)
    consultation_phone: str = Field("", max_length=50)
    complaint_phone: str = Field("", max_length=50)
    listed: bool = Field(True, description="publish it as listed now")


class ItemPatch(Schema):
    implementation_code: str | None = Field(None, max_length=31)
    derive_code: bool = False
    main_item: str | None = Field(None, max_length=100, description="key of the new main item; \"\" for none; "
                                                                     "omit to leave it")


class ItemOut(Schema):
    key: str
    implementation_code: str | None
    local_code: str
    organ_id: int
    level: str
    main_item: str | None
    derived: dict[str, str]


class ImportQuery(Schema):
    kind: Literal["regions", "organs", "catalog", "items"]
    region: str | None = Field(None, max_length=9, description="for items: the region whose list it is")
    dry_run: bool = Field(True, description="true (default): check only; false: commit")


class ImportProblemOut(ProblemOut):
    row: int | None = Field(None, description="row (CSV, Excel: as the spreadsheet shows it; JSON: record number)")
    column: str = ""


class ImportOut(Schema):
    kind: str
    file_name: str
    sm3: str
    format: str
    rows: int
    dry_run: bool
    committed: bool
    planned: dict[str, int]
    created: dict[str, int]
    existing: dict[str, int]
    problems: list[ImportProblemOut]
    notes: list[ImportProblemOut]


class CompletenessQuery(Schema):
    region: str | None = Field(None, max_length=9)
    organ_id: int | None = None


class MissingOut(Schema):
    field: str
    zh: str
    en: str


class CompletenessRowOut(Schema):
    key: str
    name: str
    organ: str
    status: str
    main_item: str | None
    is_main: bool
    missing: list[MissingOut]


class CompletenessOut(Schema):
    items: int
    complete: int
    listed: int
    draft: int
    results: list[CompletenessRowOut]


# --- mapping ---

def _region(r: Region) -> dict:
    return {"code": r.code, "name": r.name, "level": r.level, "parent": r.parent_id,
            "statistical_code": r.statistical_code, "derived": r.derived}


def _organ(o: Organ) -> dict:
    return {"id": o.pk, "ref": o.ref, "name": o.name, "region_code": o.region_id, "credit_code": o.credit_code,
            "org_code": o.org_code, "to_complete": o.to_complete, "source_codes": o.source_codes, "level": o.level,
            "nature": o.nature, "derived": o.derived}


def _entry(c: CatalogItem) -> dict:
    return {"id": c.pk, "name": c.name, "item_type": c.item_type, "region_code": c.region_id,
            "basic_code": c.basic_code, "local_code": c.local_code, "legal_basis": c.legal_basis,
            "exercise_levels": c.exercise_levels, "derived": c.derived}


def _item(i: ImplementationItem) -> dict:
    return {"key": i.key, "implementation_code": i.code, "local_code": i.local_code, "organ_id": i.organ_id,
            "level": i.level, "main_item": i.parent.key if i.parent_id else None, "derived": i.derived}


def _scoped_region(user, code: str) -> Region:
    return access.access_region(user, code)


# --- regions ---

@router.get("/onboarding/regions", response={200: list[RegionOut], **ERRORS}, url_name="onboarding_regions",
            summary="区划（管理范围内）/ regions in your scope")
@permission(ONBOARD)
def regions_list(request):
    return [_region(r) for r in access.regions_in_scope(request.user)]


@router.post("/onboarding/regions", response={201: RegionOut, **ERRORS}, summary="登记区划 / register a region")
@permission(ONBOARD)
def regions_create(request, payload: RegionIn):
    """A 12-digit statistical code is mapped to the 6- or 9-digit code and kept (``derived`` says so)."""
    parent = _scoped_region(request.user, payload.parent) if payload.parent else None
    region = registry.region_create(actor=request.user, code=payload.code, name=payload.name, level=payload.level,
                                    parent=parent)
    return Status(201, _region(region))


@router.patch("/onboarding/regions/{code}", response={200: RegionOut, **ERRORS}, url_name="onboarding_region",
              summary="修改区划名称 / rename a region")
@permission(ONBOARD)
def regions_update(request, code: str, payload: RegionPatch):
    region = registry.region_update(actor=request.user, region=_scoped_region(request.user, code), name=payload.name)
    return _region(region)


# --- organs ---

@router.get("/onboarding/organs", response={200: list[OrganOut], **ERRORS}, url_name="onboarding_organs",
            summary="实施机构（管理范围内）/ organs in your scope")
@permission(ONBOARD)
def organs_list(request, to_complete: bool = False):
    return [_organ(o) for o in access.organs_in_scope(request.user, to_complete=to_complete)]


@router.post("/onboarding/organs", response={201: OrganOut, **ERRORS}, summary="登记实施机构 / register an organ")
@permission(ONBOARD)
def organs_create(request, payload: OrganIn):
    """The credit code is checked (GB 32100); without one the organ is to be completed, and a legacy
    organisation code (GB 11714, checked) is kept beside it."""
    reading = read_division(payload.region)
    region = _scoped_region(request.user, reading.code or payload.region)
    data = payload.dict()
    data.pop("region")
    organ = registry.organ_create(actor=request.user, region=region, **data)
    return Status(201, _organ(organ))


@router.patch("/onboarding/organs/{organ_id}", response={200: OrganOut, **ERRORS}, url_name="onboarding_organ",
              summary="补全或修改实施机构 / complete or change an organ")
@permission(ONBOARD)
def organs_update(request, organ_id: int, payload: OrganPatch):
    organ = access.access_organ(request.user, organ_id)
    changes = {k: v for k, v in payload.dict().items() if v is not None}
    return _organ(registry.organ_update(actor=request.user, organ=organ, **changes))


# --- catalogue entries ---

@router.get("/onboarding/catalog-items", response={200: list[CatalogItemOut], **ERRORS},
            url_name="onboarding_catalog_items", summary="目录事项（管理范围内）/ catalogue entries in your scope")
@permission(ONBOARD)
def catalog_items_list(request, q: str = Query("", max_length=100), without_basic_code: bool = False):
    return [_entry(c) for c in access.catalog_items_in_scope(request.user, q=q, without_basic_code=without_basic_code)]


@router.post("/onboarding/catalog-items", response={201: CatalogItemOut, **ERRORS},
             summary="登记目录事项 / register a catalogue entry")
@permission(ONBOARD)
def catalog_items_create(request, payload: CatalogItemIn):
    data = payload.dict()
    region = _scoped_region(request.user, data.pop("region"))
    return Status(201, _entry(registry.catalog_item_create(actor=request.user, region=region, **data)))


@router.patch("/onboarding/catalog-items/{entry_id}", response={200: CatalogItemOut, **ERRORS},
              url_name="onboarding_catalog_item", summary="补全目录事项（如基本编码）/ complete a catalogue entry")
@permission(ONBOARD)
def catalog_items_update(request, entry_id: int, payload: CatalogItemPatch):
    entry = access.access_catalog_item(request.user, entry_id)
    changes = {k: v for k, v in payload.dict().items() if v is not None}
    return _entry(registry.catalog_item_update(actor=request.user, catalog_item=entry, **changes))


# --- implementation items ---

@router.post("/onboarding/items", response={201: ItemOut, **ERRORS}, url_name="onboarding_items",
             summary="登记事项（可列入清单）/ register an item (listed)")
@permission(ONBOARD)
def items_create(request, payload: ItemIn):
    """One item as a list row makes it; ``main_item`` makes it a sub-item (子项). With ``listed`` its
    first version is published as listed (its guide not yet complete; no online applications)."""
    organ = access.access_organ(request.user, payload.organ_id)
    parent = access_item(request.user, payload.main_item) if payload.main_item else None
    entry = None
    if payload.basic_code:
        entry = CatalogItem.objects.filter(basic_code=payload.basic_code).first()
        if entry is None:
            raise DomainError.single("item.catalog_item_unknown", f"基本编码 {payload.basic_code} 不在目录中",
                                     "that basic code is not in the catalogue", "basic_code")
    item = item_onboard(actor=request.user, organ=organ, name=payload.name, item_type=payload.item_type,
                        catalog_item=entry, local_code=payload.local_code, code=payload.implementation_code,
                        level=payload.level, parent=parent, where=payload.dict(), listed=payload.listed)
    return Status(201, _item(item))


@router.patch("/onboarding/items/{key}", response={200: ItemOut, **ERRORS}, url_name="onboarding_item",
              summary="补全事项标识（实施编码、主项）/ complete an item's identity")
@permission(ITEM_EDIT)
def items_update(request, key: str, payload: ItemPatch):
    item = access_item(request.user, key)
    fields = payload.dict(exclude_unset=True)
    parent: ImplementationItem | None | bool = False
    if "main_item" in fields:
        parent = access_item(request.user, fields["main_item"]) if fields["main_item"] else None
    item = services.item_identity_update(actor=request.user, item=item, code=payload.implementation_code,
                                         derive_code=payload.derive_code, parent=parent)
    return _item(item)


# --- the import ---

@router.post("/onboarding/imports", response={200: ImportOut, **ERRORS},
             url_name="onboarding_imports", summary="导入表格（先试导入）/ import a table (dry run first)")
@permission(ONBOARD)
def imports(request, filters: Query[ImportQuery], file: File[UploadedFile]):
    """Multipart field ``file``: CSV, Excel (.xlsx) or JSON. ``dry_run=true`` (the default) checks
    every row and saves nothing; ``dry_run=false`` commits all or nothing. 400 lists every problem
    with its row and column (the same problems the console and the CLI report), in the error shape of
    every other refusal."""
    region = _scoped_region(request.user, filters.region) if filters.region else None
    report = onboard(actor=request.user, kind=filters.kind, file=file, region=region, dry_run=filters.dry_run)
    if not report.ok:
        raise DomainError(list(report.problems))
    return report.as_dict()


# --- completeness ---

def _board(request, filters: CompletenessQuery) -> completeness.Dashboard:
    region = completeness.region_by_code(filters.region) if filters.region else None
    organ = None
    if filters.organ_id is not None:
        organ = next((o for o in completeness.organs_readable(request.user) if o.pk == filters.organ_id), None)
        if organ is None:
            raise NotFound(str(filters.organ_id))
    return completeness.dashboard(request.user, region=region, organ=organ)


@router.get("/onboarding/completeness", response={200: CompletenessOut, **ERRORS},
            url_name="onboarding_completeness", summary="指南完整度 / completeness of the guides")
@permission(ITEM_VIEW)
def completeness_view(request, filters: Query[CompletenessQuery]):
    """Item by item, what each guide still lacks before it can be published complete."""
    board = _board(request, filters)
    return {"items": board.totals.items, "complete": board.totals.complete, "listed": board.totals.listed,
            "draft": board.totals.draft,
            "results": [{"key": r.item.key, "name": r.name, "organ": r.item.organ.name, "status": r.status,
                         "main_item": r.item.parent.key if r.item.parent else None, "is_main": r.is_main,
                         "missing": [{"field": k, "zh": zh, "en": en} for k, zh, en in r.missing]}
                        for r in board.rows]}


@router.get("/onboarding/completeness.xlsx", response={200: None, **ERRORS}, url_name="onboarding_completeness_export",
            summary="指南完整度导出 / completeness export (.xlsx)",
            openapi_extra={"responses": {200: {"description": "the workbook", "content": {
                XLSX: {"schema": {"type": "string", "format": "binary"}}}}}})
@permission(ITEM_VIEW)
def completeness_export(request, filters: Query[CompletenessQuery]):
    board = _board(request, filters)
    response = HttpResponse(completeness.export_bytes(board), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="govhall-completeness.xlsx"'
    return response
