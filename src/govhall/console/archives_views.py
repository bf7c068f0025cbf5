"""Console pages of the electronic archives: search packages, see a package's checks, events and
versions, download it; archivists run checks and drills, set legal holds, propose disposal lists;
approvers decide them. Thin views over ``govhall.archives`` selectors and services; packages
outside the user's organs answer 404."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from govhall.archives import scope, selectors, services, storage
from govhall.archives.models import ArchivePackage
from govhall.archives.permissions import DISPOSAL_APPROVE, DISPOSAL_PROPOSE, PACKAGE_MANAGE, PACKAGE_VIEW
from govhall.catalog.codesets import ItemType
from govhall.catalog.models import Organ
from govhall.core.errors import DomainError, NotFound
from govhall.core.permissions import has_permission, requires

PER_PAGE = 50


class SearchForm(forms.Form):
    case_number = forms.CharField(label=gettext_lazy("Case number"), required=False, max_length=43)
    item = forms.CharField(label=gettext_lazy("Item (code or name)"), required=False, max_length=200)
    applicant = forms.CharField(label=gettext_lazy("Applicant (exact name)"), required=False, max_length=200)
    date_from = forms.DateField(label=gettext_lazy("Closed from"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=gettext_lazy("Closed until"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))


def _package(request, case_number: str) -> ArchivePackage:
    version = request.GET.get("version") or request.POST.get("version")
    try:
        return selectors.access_package(request.user, case_number, int(version) if version and version.isdigit()
                                        else None)
    except NotFound:
        raise Http404 from None


@requires(PACKAGE_VIEW)
def archives(request):
    form = SearchForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.search(request.user, case_number=filters.get("case_number", ""), item=filters.get("item", ""),
                          applicant=filters.get("applicant", ""), date_from=filters.get("date_from"),
                          date_to=filters.get("date_to"))
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "console/archives/list.html", {"form": form, "page_obj": page})


@requires(PACKAGE_VIEW)
def archive_package(request, case_number: str):
    package = _package(request, case_number)
    manages = package.organ_id in scope.organ_ids(request.user, PACKAGE_MANAGE)
    return render(request, "console/archives/package.html", {
        "package": package, "checks": selectors.latest_checks(package), "events": selectors.events_of(package),
        "versions": selectors.versions(package), "manages": manages})


@requires(PACKAGE_VIEW)
def archive_download(request, case_number: str):
    package = _package(request, case_number)
    if package.state != ArchivePackage.State.STORED:
        raise Http404
    try:
        handle = storage.primary().open(package.storage_name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=f"{package.bag_name}.zip",
                            content_type="application/zip")
    response["X-Content-SM3"] = package.sm3
    return response


def _run(request, case_number: str, action):
    package = _package(request, case_number)
    try:
        action(package)
    except DomainError as exc:
        for problem in exc.problems:
            messages.error(request, f"{problem.message_zh} ({problem.message_en})")
    return redirect(f"{request.path.rsplit('/', 2)[0]}/?version={package.version}")


@require_POST
@requires(PACKAGE_MANAGE)
def archive_check(request, case_number: str):
    def act(package):
        run = services.package_check(actor=request.user, package=package, trigger="console")
        (messages.success if run.ok else messages.error)(
            request, _("Four-property check passed.") if run.ok else _("Four-property check failed: see the results."))

    return _run(request, case_number, act)


@require_POST
@requires(PACKAGE_MANAGE)
def archive_drill(request, case_number: str):
    def act(package):
        scope.ensure(request.user, package.organ_id, PACKAGE_MANAGE, label=package.case_number)
        result = services.drill(actor=request.user, package=package)
        (messages.success if result.ok else messages.error)(
            request, _("Restore drill passed.") if result.ok else _("Restore drill failed: see the events."))

    return _run(request, case_number, act)


@require_POST
@requires(PACKAGE_MANAGE)
def archive_hold(request, case_number: str):
    def act(package):
        services.legal_hold_set(actor=request.user, package=package, hold=request.POST.get("hold") == "1",
                                reason=request.POST.get("reason", ""))
        messages.success(request, _("Legal hold updated."))

    return _run(request, case_number, act)


@requires(PACKAGE_VIEW)
def disposals(request):
    lists = selectors.disposal_lists(request.user).prefetch_related("packages")
    today = dt.date.today()
    due = (selectors.visible_packages(request.user).filter(state=ArchivePackage.State.STORED, legal_hold=False,
                                                             retain_until__lte=today)
           .order_by("retain_until")[:200])
    from django.conf import settings

    from govhall.archives.models import RetentionPeriod, RetentionRule

    rules = {r.item_type: r for r in RetentionRule.objects.all()}
    default = getattr(settings, "GOVHALL_ARCHIVES_DEFAULT_RETENTION", RetentionPeriod.PERMANENT)
    table = [{"code": code, "label": label, "rule": rules.get(code)} for code, label in ItemType.choices]
    return render(request, "console/archives/disposals.html", {
        "lists": lists, "due": due, "can_propose": has_permission(request.user, DISPOSAL_PROPOSE),
        "can_approve": has_permission(request.user, DISPOSAL_APPROVE),
        "can_manage": has_permission(request.user, PACKAGE_MANAGE), "retention": table,
        "periods": RetentionPeriod.choices, "default_period": RetentionPeriod(default).label})


@require_POST
@requires(PACKAGE_MANAGE)
def retention_set(request):
    try:
        services.retention_set(actor=request.user, item_type=request.POST.get("item_type", ""),
                               period=request.POST.get("period", ""), note=request.POST.get("note", ""))
        messages.success(request, _("Retention period saved."))
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        for problem in exc.problems:
            messages.error(request, f"{problem.message_zh} ({problem.message_en})")
    return redirect("console:archive_disposals")


@require_POST
@requires(DISPOSAL_PROPOSE)
def disposal_propose(request):
    ids = [int(x) for x in request.POST.getlist("package") if x.isdigit()]
    packages = list(selectors.visible_packages(request.user).filter(pk__in=ids))
    organs = {p.organ_id for p in packages}
    try:
        if len(organs) != 1:
            raise DomainError.single("archives.disposal.organ", "一份销毁清单只能包含同一机构的档案",
                                     "choose packages of one organ for a list", "packages")
        services.disposal_propose(actor=request.user, organ=Organ.objects.get(pk=organs.pop()), packages=packages,
                                  reason=request.POST.get("reason", ""))
        messages.success(request, _("Disposal list proposed."))
    except (DomainError, NotFound) as exc:
        for problem in getattr(exc, "problems", []):
            messages.error(request, f"{problem.message_zh} ({problem.message_en})")
    return redirect("console:archive_disposals")


@require_POST
@requires(DISPOSAL_APPROVE)
def disposal_decide(request, pk: int):
    try:
        disposal = selectors.access_disposal(request.user, pk)
        services.disposal_decide(actor=request.user, disposal=disposal, approve=request.POST.get("approve") == "1",
                                 note=request.POST.get("note", ""))
        messages.success(request, _("Decision recorded."))
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        for problem in exc.problems:
            messages.error(request, f"{problem.message_zh} ({problem.message_en})")
    return redirect("console:archive_disposals")


@require_POST
@requires(DISPOSAL_PROPOSE)
def disposal_execute(request, pk: int):
    try:
        disposal = selectors.access_disposal(request.user, pk)
        services.disposal_execute(actor=request.user, disposal=disposal)
        messages.success(request, _("The packages of the list were destroyed; the record is kept."))
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        for problem in exc.problems:
            messages.error(request, f"{problem.message_zh} ({problem.message_en})")
    return redirect("console:archive_disposals")
