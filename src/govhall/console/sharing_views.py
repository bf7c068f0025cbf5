"""Console pages of the data sharing platform: the resource catalogue and datasets (data-resource
administrators), sharing agreements, verification of discrepancies (Art. 9), access records and
Art. 8 supervision records, and the "materials saved" figures. Thin views: parse, call one service
or selector, render; a DomainError re-renders the page with every problem (HTTP 400)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from govhall.catalog.models import Organ
from govhall.console.sharing_forms import (
    AgreementForm,
    DatasetForm,
    DecisionForm,
    DiscrepancyForm,
    ResourceForm,
    fields_to_text,
    text_to_fields,
)
from govhall.core.errors import DomainError, NotFound
from govhall.core.i18n import localised
from govhall.core.permissions import requires
from govhall.sharing import scope, selectors, services
from govhall.sharing.models import DataResource
from govhall.sharing.permissions import (
    ACCESS_VIEW,
    AGREEMENT_MANAGE,
    DISCREPANCY_DECIDE,
    FIGURES_VIEW,
    RESOURCE_MANAGE,
    RESOURCE_VIEW,
)

MAX_UPLOAD = 25 * 1024 * 1024  # about 300,000 rows; larger files: govhall sharing_dataset_import


def _organs(user):
    return list(Organ.objects.filter(scope.managed_organs_q(user)).order_by("name"))


def _page(request, qs, size=50):
    return Paginator(qs, size).get_page(request.GET.get("page"))


@requires(RESOURCE_VIEW)
@require_GET
def resources(request):
    return render(request, "sharing/console/resources.html", {
        "resources": selectors.resources().order_by("code"),
        "managed": scope.managed_organ_ids(request.user)})


@requires(RESOURCE_MANAGE)
@require_http_methods(["GET", "POST"])
def resource_new(request):
    organs = _organs(request.user)
    form = ResourceForm(request.POST or None, organs=organs)
    problems = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        organ = next((o for o in organs if str(o.pk) == d["provider_organ"]), None)
        if organ is None:
            raise Http404("organ")
        try:
            resource = services.resource_create(
                actor=request.user, code=d["code"], provider_organ=organ, name=d["name"], name_en=d["name_en"],
                fields=text_to_fields(d["fields_text"]), share_class=d["share_class"],
                classification=d["classification"], legal_basis=d["legal_basis"],
                update_frequency=d["update_frequency"], subject_kind=d["subject_kind"],
                provider_kind=d["provider_kind"], peer_code=d["peer_code"])
        except DomainError as exc:
            problems = exc.problems
        else:
            messages.success(request, _("The data resource was registered."))
            return redirect("sharing_console:resource", resource.code)
    status = 400 if request.method == "POST" else 200
    return render(request, "sharing/console/resource_form.html", {"form": form, "problems": problems},
                  status=status)


def _resource(code: str) -> DataResource:
    try:
        return selectors.access_resource(code)
    except NotFound as exc:
        raise Http404(code) from exc


@requires(RESOURCE_VIEW)
@require_GET
def resource(request, code: str):
    r = _resource(code)
    return _resource_page(request, r)


def _resource_page(request, r, *, problems=(), status=200, upload_form=None):
    return render(request, "sharing/console/resource.html", {
        "r": r, "datasets": r.datasets.select_related("uploaded_by")[:20],
        "agreements": r.agreements.select_related("requester_organ")[:50],
        "manages": r.provider_organ_id in scope.managed_organ_ids(request.user),
        "upload_form": upload_form or DatasetForm(), "problems": problems}, status=status)


@requires(RESOURCE_MANAGE)
@require_http_methods(["GET", "POST"])
def resource_edit(request, code: str):
    try:
        r = selectors.manageable_resource(request.user, code)
    except NotFound as exc:
        raise Http404(code) from exc
    initial = {k: getattr(r, k) for k in ("name", "name_en", "share_class", "classification", "legal_basis",
                                          "update_frequency", "subject_kind", "provider_kind", "peer_code")}
    initial["fields_text"] = fields_to_text(r.fields)
    form = ResourceForm(request.POST or None, initial=initial, editing=True)
    problems = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.resource_update(actor=request.user, resource=r, name=d["name"], name_en=d["name_en"],
                                     fields=text_to_fields(d["fields_text"]), share_class=d["share_class"],
                                     classification=d["classification"], legal_basis=d["legal_basis"],
                                     update_frequency=d["update_frequency"], subject_kind=d["subject_kind"],
                                     provider_kind=d["provider_kind"], peer_code=d["peer_code"])
        except DomainError as exc:
            problems = exc.problems
        else:
            messages.success(request, _("The data resource was changed."))
            return redirect("sharing_console:resource", r.code)
    status = 400 if request.method == "POST" else 200
    return render(request, "sharing/console/resource_form.html", {"form": form, "problems": problems, "r": r},
                  status=status)


@requires(RESOURCE_MANAGE)
@require_POST
def dataset_upload(request, code: str):
    try:
        r = selectors.manageable_resource(request.user, code)
    except NotFound as exc:
        raise Http404(code) from exc
    form = DatasetForm(request.POST, request.FILES)
    if not form.is_valid():
        return _resource_page(request, r, status=400, upload_form=form)
    upload = form.cleaned_data["file"]
    if upload.size > MAX_UPLOAD:
        return _resource_page(request, r, status=400, upload_form=form, problems=[
            services._p("sharing.dataset.too_large", "文件超过 25 MB，请由管理员使用 sharing_dataset_import 命令导入",
                        "the file is over 25 MB: ask an administrator to load it with sharing_dataset_import",
                        "file")])
    try:
        dataset = services.dataset_upload(actor=request.user, resource=r, data=upload.read(), filename=upload.name,
                                          note=form.cleaned_data["note"])
    except DomainError as exc:
        return _resource_page(request, r, problems=exc.problems, status=400, upload_form=form)
    messages.success(request, _("Dataset version %(v)s stored with %(n)s records.") % {
        "v": dataset.version, "n": dataset.record_count})
    return redirect("sharing_console:resource", r.code)


@requires(AGREEMENT_MANAGE)
@require_http_methods(["GET", "POST"])
def agreements(request):
    organs = _organs(request.user)
    conditional = list(selectors.resources().filter(share_class="conditional").order_by("code"))
    form = AgreementForm(request.POST or None, resources=conditional, organs=organs)
    problems = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        res = next((r for r in conditional if str(r.pk) == d["resource"]), None)
        organ = next((o for o in organs if str(o.pk) == d["requester_organ"]), None)
        if res is None or organ is None:
            raise Http404("resource or organ")
        try:
            services.agreement_request(actor=request.user, resource=res, requester_organ=organ,
                                       fields=[f.strip() for f in d["fields_list"].split(",") if f.strip()],
                                       purpose=d["purpose"], legal_basis=d["legal_basis"],
                                       valid_until=d["valid_until"])
        except DomainError as exc:
            problems = exc.problems
        else:
            messages.success(request, _("The request was sent to the provider organ."))
            return redirect("sharing_console:agreements")
    return render(request, "sharing/console/agreements.html", {
        "page": _page(request, selectors.agreements_of(request.user)), "form": form, "problems": problems,
        "managed": scope.managed_organ_ids(request.user)}, status=400 if problems or form.errors else 200)


@requires(AGREEMENT_MANAGE)
@require_POST
def agreement_decide(request, pk: int):
    try:
        agreement = selectors.access_agreement(request.user, pk)
        form = DecisionForm(request.POST)
        if not form.is_valid():
            raise DomainError.single("sharing.agreement.decision", "请选择同意或不同意", "choose approve or refuse")
        services.agreement_decide(actor=request.user, agreement=agreement,
                                  approve=form.cleaned_data["decision"] == "approve", note=form.cleaned_data["note"])
    except NotFound as exc:
        raise Http404(str(pk)) from exc
    except DomainError as exc:
        for p in exc.problems:
            messages.error(request, localised(p))
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("sharing_console:agreements")


@requires(DISCREPANCY_DECIDE)
@require_GET
def discrepancies(request):
    state = request.GET.get("state", "open")
    qs = selectors.discrepancies_of(request.user)
    if state in ("open", "corrected", "dismissed"):
        qs = qs.filter(state=state)
    return render(request, "sharing/console/discrepancies.html", {"page": _page(request, qs), "state": state})


@requires(DISCREPANCY_DECIDE)
@require_POST
def discrepancy_decide(request, pk: int):
    try:
        d = selectors.access_discrepancy(request.user, pk)
        form = DiscrepancyForm(request.POST)
        if not form.is_valid():
            raise DomainError.single("sharing.discrepancy.decision", "请选择核实结论", "choose the decision")
        services.discrepancy_decide(actor=request.user, discrepancy=d,
                                    correct=form.cleaned_data["decision"] == "correct",
                                    reason=form.cleaned_data["reason"], value=form.cleaned_data["value"] or None)
    except NotFound as exc:
        raise Http404(str(pk)) from exc
    except DomainError as exc:
        for p in exc.problems:
            messages.error(request, localised(p))
    else:
        messages.success(request, _("Verification recorded."))
    return redirect("sharing_console:discrepancies")


@requires(ACCESS_VIEW)
@require_GET
def access_records(request):
    qs = selectors.access_records_of(request.user)
    outcome = request.GET.get("outcome", "")
    if outcome:
        qs = qs.filter(outcome=outcome)
    return render(request, "sharing/console/access.html", {"page": _page(request, qs), "outcome": outcome})


@requires(ACCESS_VIEW)
@require_GET
def fetchable_requests(request):
    return render(request, "sharing/console/art8.html",
                  {"page": _page(request, selectors.fetchable_requests_of(request.user))})


@requires(FIGURES_VIEW)
@require_GET
def figures(request):
    rows = selectors.figures(organ=request.GET.get("organ", "").strip()[:18])
    totals = {"fetched": sum(r["fetched"] for r in rows), "uploaded": sum(r["uploaded"] for r in rows)}
    return render(request, "sharing/console/figures.html", {"rows": rows, "totals": totals,
                                                            "api": reverse("api:v1:sharing_figures")})
