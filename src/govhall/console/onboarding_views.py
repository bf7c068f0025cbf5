"""Console pages for onboarding a region's real catalogue (docs/onboarding.md): regions, organs,
catalogue entries, items with main items and sub-items, the import (dry run first, then commit) and
the completeness dashboard with its export.

Thin views: scope comes from catalog.onboarding.access (404 for what the user may not see), writes
go through the registry and catalogue services, which check scope again, audit, and list every
problem at once (re-rendered with HTTP 400; nothing is saved).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from govhall.catalog import registry, services
from govhall.catalog.models import CatalogItem
from govhall.catalog.onboarding import access, completeness
from govhall.catalog.onboarding.importer import onboard
from govhall.catalog.onboarding.items import item_onboard
from govhall.catalog.onboarding.tables import TABLES, template_bytes
from govhall.catalog.permissions import ITEM_EDIT, ITEM_VIEW, ONBOARD
from govhall.catalog.selectors import access_item
from govhall.core.errors import DomainError, NotFound, Problem
from govhall.core.permissions import requires

from .onboarding_forms import (
    CatalogItemEditForm,
    CatalogItemForm,
    CompletenessFilterForm,
    ImportForm,
    ItemIdentityForm,
    ItemNewForm,
    OrganEditForm,
    OrganForm,
    RegionEditForm,
    RegionForm,
)
from .problems import form_labels, problem_rows

PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _or_404(fn, *args):
    try:
        return fn(*args)
    except NotFound as exc:
        raise Http404 from exc


def _page(request, qs):
    return Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))


@requires(ONBOARD)
def overview(request):
    """The steps, in order, with what the user's scope holds."""
    return render(request, "console/onboarding/overview.html", {
        "regions": access.regions_in_scope(request.user).count(),
        "organs": access.organs_in_scope(request.user).count(),
        "organs_to_complete": access.organs_in_scope(request.user, to_complete=True).count(),
        "catalog_items": access.catalog_items_in_scope(request.user).count(),
        "can_register": access.can_register(request.user),
        "kinds": list(TABLES.items()),
    })


# --- regions ---

@requires(ONBOARD)
def regions(request):
    in_scope = access.regions_in_scope(request.user)
    form = RegionForm(request.POST or None, regions=in_scope)
    problems, status = [], 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            parent = in_scope.filter(code=data["parent"]).first() if data["parent"] else None
            try:
                region = registry.region_create(actor=request.user, code=data["code"], name=data["name"],
                                                level=data["level"] or None, parent=parent)
            except DomainError as exc:
                problems, status = exc.problems, 400
            except NotFound:
                problems, status = [Problem("region.scope", "该区划不在您的管理范围内", "the region is not in your scope",
                                            "code")], 400
            else:
                messages.success(request, _("Region %(code)s %(name)s is registered.")
                                 % {"code": region.code, "name": region.name})
                return redirect("console:regions")
        else:
            status = 400
    return render(request, "console/onboarding/regions.html", {
        "page_obj": _page(request, in_scope), "form": form,
        "problems": problem_rows(problems, form_labels(RegionForm)),
    }, status=status)


@requires(ONBOARD)
def region(request, code: str):
    obj = _or_404(access.access_region, request.user, code)
    form = RegionEditForm(request.POST or None, initial={"name": obj.name})
    problems, status = [], 200
    if request.method == "POST":
        if form.is_valid():
            try:
                registry.region_update(actor=request.user, region=obj, name=form.cleaned_data["name"])
            except DomainError as exc:
                problems, status = exc.problems, 400
            else:
                messages.success(request, _("The region is saved."))
                return redirect("console:region", code=obj.code)
        else:
            status = 400
    return render(request, "console/onboarding/region.html", {
        "region": obj, "form": form, "problems": problem_rows(problems, form_labels(RegionEditForm)),
    }, status=status)


# --- organs ---

@requires(ONBOARD)
def organs(request):
    q = request.GET.get("q", "").strip()[:100]
    to_complete = request.GET.get("to_complete") == "1"
    qs = access.organs_in_scope(request.user, q=q, to_complete=to_complete)
    return render(request, "console/onboarding/organs.html", {
        "page_obj": _page(request, qs), "q": q, "to_complete": to_complete,
        "can_register": access.can_register(request.user),
    })


@requires(ONBOARD)
def organ_new(request):
    in_scope = access.regions_in_scope(request.user)
    form = OrganForm(request.POST or None, regions=in_scope)
    problems, status = [], 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            target = in_scope.filter(code=data["region"]).first()
            try:
                if target is None:
                    raise NotFound(data["region"])
                organ = registry.organ_create(
                    actor=request.user, name=data["name"], region=target, credit_code=data["credit_code"] or None,
                    org_code=data["org_code"], level=data["level"] or None, nature=data["nature"],
                    **{k: data[k] for k in registry.ORGAN_DETAILS})
            except DomainError as exc:
                problems, status = exc.problems, 400
            except NotFound:
                problems, status = [Problem("organ.scope", "该区划不在您的管理范围内", "the region is not in your scope",
                                            "region")], 400
            else:
                messages.success(request, _("The organ %(name)s is registered.") % {"name": organ.name})
                return redirect("console:organ", pk=organ.pk)
        else:
            status = 400
    return render(request, "console/onboarding/organ_form.html", {
        "form": form, "organ": None, "problems": problem_rows(problems, form_labels(OrganForm)),
    }, status=status)


@requires(ONBOARD)
def organ(request, pk: int):
    obj = _or_404(access.access_organ, request.user, pk)
    initial = {k: getattr(obj, k) for k in ("name", "level", "nature", *registry.ORGAN_DETAILS)}
    form = OrganEditForm(request.POST or None, initial=initial)
    problems, status = [], 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                registry.organ_update(actor=request.user, organ=obj, **data)
            except DomainError as exc:
                problems, status = exc.problems, 400
            else:
                messages.success(request, _("The organ is saved."))
                return redirect("console:organ", pk=obj.pk)
        else:
            status = 400
    return render(request, "console/onboarding/organ_form.html", {
        "form": form, "organ": obj, "problems": problem_rows(problems, form_labels(OrganForm)),
    }, status=status)


# --- catalogue entries ---

@requires(ONBOARD)
def catalog_items(request):
    q = request.GET.get("q", "").strip()[:100]
    without = request.GET.get("without_basic_code") == "1"
    qs = access.catalog_items_in_scope(request.user, q=q, without_basic_code=without)
    return render(request, "console/onboarding/catalog_items.html", {
        "page_obj": _page(request, qs), "q": q, "without_basic_code": without,
        "can_register": access.can_register(request.user),
    })


@requires(ONBOARD)
def catalog_item_new(request):
    in_scope = access.regions_in_scope(request.user)
    form = CatalogItemForm(request.POST or None, regions=in_scope)
    problems, status = [], 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            target = in_scope.filter(code=data.pop("region")).first()
            try:
                if target is None:
                    raise NotFound("region")
                entry = registry.catalog_item_create(actor=request.user, region=target, **data)
            except DomainError as exc:
                problems, status = exc.problems, 400
            except NotFound:
                problems, status = [Problem("catalog.scope", "该区划不在您的管理范围内", "the region is not in your "
                                            "scope", "region")], 400
            else:
                messages.success(request, _("The catalogue entry is registered."))
                return redirect("console:catalog_item", pk=entry.pk)
        else:
            status = 400
    return render(request, "console/onboarding/catalog_item_form.html", {
        "form": form, "entry": None, "problems": problem_rows(problems, form_labels(CatalogItemForm)),
    }, status=status)


@requires(ONBOARD)
def catalog_item(request, pk: int):
    entry = _or_404(access.access_catalog_item, request.user, pk)
    initial = {k: getattr(entry, k) for k in registry.CATALOG_EDITABLE}
    form = CatalogItemEditForm(request.POST or None, initial=initial)
    problems, status = [], 200
    if request.method == "POST":
        if form.is_valid():
            try:
                registry.catalog_item_update(actor=request.user, catalog_item=entry, **form.cleaned_data)
            except DomainError as exc:
                problems, status = exc.problems, 400
            else:
                messages.success(request, _("The catalogue entry is saved."))
                return redirect("console:catalog_item", pk=entry.pk)
        else:
            status = 400
    return render(request, "console/onboarding/catalog_item_form.html", {
        "form": form, "entry": entry, "implementations": entry.implementations.select_related("organ")[:50],
        "problems": problem_rows(problems, form_labels(CatalogItemForm)),
    }, status=status)


# --- implementation items ---

@requires(ONBOARD)
def item_new(request):
    organs = list(access.organs_in_scope(request.user))
    mains = access.main_item_choices(request.user)
    form = ItemNewForm(request.POST or None, organs=organs, mains=mains)
    problems, status = [], 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            organ_obj = next((o for o in organs if str(o.pk) == data["organ"]), None)
            parent = mains.filter(pk=data["parent"]).first() if data["parent"] else None
            entry = (CatalogItem.objects.filter(basic_code=data["basic_code"]).first()
                     if data["basic_code"] else None)
            try:
                if data["basic_code"] and entry is None:
                    raise DomainError.single("item.catalog_item_unknown", f"基本编码 {data['basic_code']} 不在目录中",
                                             "that basic code is not in the catalogue", "basic_code")
                item = item_onboard(
                    actor=request.user, organ=organ_obj, name=data["name"], item_type=data["item_type"] or None,
                    catalog_item=entry, local_code=data["local_code"], code=data["implementation_code"] or None,
                    level=data["level"] or None, parent=parent, where=data, listed=data["listed"])
            except DomainError as exc:
                problems, status = exc.problems, 400
            except NotFound:
                raise Http404 from None
            else:
                messages.success(request, _("The item is registered."))
                return redirect("console:item", code=item.key)
        else:
            status = 400
    return render(request, "console/onboarding/item_new.html", {
        "form": form, "problems": problem_rows(problems, form_labels(ItemNewForm)),
    }, status=status)


@requires(ITEM_EDIT)
def item_identity(request, code: str):
    item = _or_404(access_item, request.user, code)
    mains = access.main_item_choices(request.user, item.organ).exclude(pk=item.pk)
    form = ItemIdentityForm(request.POST or None, mains=mains,
                            initial={"parent": item.parent_id or ""})
    problems, status = [], 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            parent = mains.filter(pk=data["parent"]).first() if data["parent"] else None
            try:
                services.item_identity_update(actor=request.user, item=item, code=data["implementation_code"] or None,
                                              derive_code=data["derive_code"], parent=parent)
            except DomainError as exc:
                problems, status = exc.problems, 400
            except NotFound:
                raise Http404 from None
            else:
                messages.success(request, _("The item's identity is saved."))
                return redirect("console:item", code=item.key)
        else:
            status = 400
    return render(request, "console/onboarding/item_identity.html", {
        "item": item, "form": form, "problems": problem_rows(problems, form_labels(ItemIdentityForm)),
    }, status=status)


# --- the import: dry run, then commit ---

def _staging_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "onboarding-staging"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stage(user, data: bytes, meta: dict) -> str:
    digest = hashlib.new("sm3", data).hexdigest()
    base = _staging_dir() / f"{user.pk}-{digest}"
    base.with_suffix(".data").write_bytes(data)
    base.with_suffix(".json").write_text(json.dumps(meta, ensure_ascii=False))
    return digest


def _staged(user, digest: str) -> tuple[bytes, dict] | None:
    if not digest.isalnum() or len(digest) != 64:
        return None
    base = _staging_dir() / f"{user.pk}-{digest}"
    if not base.with_suffix(".data").exists():
        return None
    return base.with_suffix(".data").read_bytes(), json.loads(base.with_suffix(".json").read_text())


def _unstage(user, digest: str) -> None:
    base = _staging_dir() / f"{user.pk}-{digest}"
    for suffix in (".data", ".json"):
        base.with_suffix(suffix).unlink(missing_ok=True)


@requires(ONBOARD)
def onboarding_import(request):
    """GET: the upload form. POST with a file: the dry run (nothing saved), the file kept for the
    commit. POST ``commit`` with the dry run's digest: the commit of exactly that file."""
    in_scope = access.regions_in_scope(request.user)
    form = ImportForm(request.POST or None, request.FILES or None, regions=in_scope)
    context = {"form": form, "report": None, "digest": "", "meta": {}}
    status = 200
    if request.method == "POST" and request.POST.get("commit"):
        digest = request.POST.get("digest", "")
        staged = _staged(request.user, digest)
        if staged is None:
            context["error"] = _("The file of the dry run is no longer available: upload it again.")
            return render(request, "console/onboarding/import.html", context, status=400)
        data, meta = staged
        region_obj = in_scope.filter(code=meta["region"]).first() if meta["region"] else None
        upload = _Upload(data, meta["file_name"])
        report = onboard(actor=request.user, kind=meta["kind"], file=upload, region=region_obj, dry_run=False)
        if report.committed:
            _unstage(request.user, digest)
            messages.success(request, _("Imported: nothing was left out."))
        context.update(report=report, meta=meta, digest="" if report.committed else digest)
        return render(request, "console/onboarding/import.html", context, status=200 if report.ok else 400)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "console/onboarding/import.html", context, status=400)
        data = form.cleaned_data
        upload = request.FILES["file"]
        raw = upload.read(settings.GOVHALL_MAX_UPLOAD_BYTES + 1)
        region_obj = in_scope.filter(code=data["region"]).first() if data["region"] else None
        report = onboard(actor=request.user, kind=data["kind"], file=_Upload(raw, upload.name), region=region_obj,
                         dry_run=True)
        meta = {"kind": data["kind"], "region": data["region"], "file_name": upload.name}
        digest = _stage(request.user, raw, meta) if report.ok else ""
        context.update(report=report, meta=meta, digest=digest)
        status = 200 if report.ok else 400
    return render(request, "console/onboarding/import.html", context, status=status)


class _Upload:
    """An in-memory file with a name, for the import's reader."""

    def __init__(self, data: bytes, name: str):
        self._data, self.name, self.size = data, name, len(data)

    def read(self, n: int = -1) -> bytes:
        return self._data if n < 0 else self._data[:n]

    def seek(self, _pos: int) -> None:
        return None


@requires(ONBOARD)
def onboarding_template(request, kind: str, fmt: str):
    table = TABLES.get(kind)
    if table is None or fmt not in ("csv", "xlsx"):
        raise Http404(kind)
    response = HttpResponse(template_bytes(table, fmt), content_type=XLSX if fmt == "xlsx" else "text/csv")
    response["Content-Disposition"] = f'attachment; filename="govhall-{kind}.{fmt}"'
    return response


# --- completeness ---

def _board(request):
    """The dashboard for the GET filters (region code, organ): organs outside the user's reading
    scope are not offered, and an unknown region answers 404."""
    organs = completeness.organs_readable(request.user)
    form = CompletenessFilterForm(request.GET or None, organs=organs)
    region_obj = organ_obj = None
    if form.is_valid():
        if form.cleaned_data["region"]:
            region_obj = _or_404(completeness.region_by_code, form.cleaned_data["region"])
        if form.cleaned_data["organ"]:
            organ_obj = next((o for o in organs if str(o.pk) == form.cleaned_data["organ"]), None)
    return form, completeness.dashboard(request.user, region=region_obj, organ=organ_obj)


@requires(ITEM_VIEW)
def completeness_dashboard(request):
    form, board = _board(request)
    show = request.GET.get("show", "incomplete")
    rows = [r for r in board.rows if show == "all" or not r.complete]
    return render(request, "console/onboarding/completeness.html", {
        "form": form, "board": board, "page_obj": Paginator(rows, PER_PAGE).get_page(request.GET.get("page")),
        "show": show, "query": request.GET.urlencode(),
    })


@requires(ITEM_VIEW)
def completeness_export(request):
    _form, board = _board(request)
    response = HttpResponse(completeness.export_bytes(board), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="govhall-completeness.xlsx"'
    return response

