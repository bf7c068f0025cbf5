"""Management console: thin views over catalogue selectors and services.

Every view declares its permission with ``@requires``; object scope comes from
``selectors.access_item``, which answers 404 for other organs' items as for missing ones.
DomainError from a service re-renders the form with every problem and HTTP 400; nothing is saved.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from govhall.catalog import selectors, services
from govhall.catalog.guide import publish_problems
from govhall.catalog.models import Completeness, ItemVersion
from govhall.catalog.permissions import AUDIT_VIEW, CALENDAR_EDIT, CONSOLE, ITEM_EDIT, ITEM_PUBLISH, ITEM_VIEW
from govhall.core import audit as audit_log
from govhall.core import calendar_store
from govhall.core.errors import DomainError, NotFound, Problem
from govhall.core.permissions import has_permission, requires

from . import queries
from .forms import (
    AuditFilterForm,
    CalendarYearForm,
    GuideForm,
    ItemFilterForm,
    MaterialFormSet,
    PublishForm,
    RetireForm,
)

PER_PAGE = 50


def _labelled(problems: list[Problem]) -> list[dict]:
    """Problems with a human label for their field (the model's verbose name where there is one)."""
    special = {"materials": _("Materials"), "process_steps": _("Process steps"), "fees": _("Fees"),
               "effective_from": _("Effective from"), "on": _("Retire from"), "reason": _("Reason"),
               "source": _("Source"), "year": _("Year"), "implementation_code": _("Implementation code"),
               "completeness": _("Publish as")}
    out = []
    for p in problems:
        base = p.field.split("[", 1)[0]
        try:
            label = special.get(base) or ItemVersion._meta.get_field(base).verbose_name
        except (FieldDoesNotExist, AttributeError):  # version, dates, item…
            label = p.field
        out.append({"problem": p, "label": label, "where": p.field})
    return out


def _access_item(user, code: str):
    try:
        return selectors.access_item(user, code)
    except NotFound as exc:
        raise Http404 from exc


def _page(request, qs):
    return Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))


@requires(CONSOLE)
def home(request):
    return render(request, "console/home.html", {"overview": queries.console_overview(request.user)})


@requires(ITEM_VIEW)
def items(request):
    form = ItemFilterForm(request.GET, organs=queries.organs_in_scope(request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    qs = queries.filter_items(queries.items_with_state(request.user), q=filters.get("q", ""),
                              state=filters.get("state", ""), organ=filters.get("organ"))
    page = _page(request, qs)
    rows = [(item, queries.item_states(item)) for item in page.object_list]
    return render(request, "console/items.html", {"form": form, "page_obj": page, "rows": rows})


def _item_response(request, code: str, *, status: int = 200, **extra):
    try:
        page = queries.item_page(request.user, code)
    except NotFound as exc:
        raise Http404 from exc
    can = {"edit": has_permission(request.user, ITEM_EDIT), "publish": has_permission(request.user, ITEM_PUBLISH)}
    context = {"page": page, "can": can, "publish_form": PublishForm(), "retire_form": RetireForm(), **extra}
    return render(request, "console/item.html", context, status=status)


@requires(ITEM_VIEW)
def item(request, code: str):
    return _item_response(request, code)


@requires(ITEM_EDIT)
def item_edit(request, code: str):
    item = _access_item(request.user, code)
    if request.method == "POST" and request.POST.get("action") == "create_draft":
        draft = services.item_draft_for_edit(actor=request.user, item=item)
        messages.success(request, _("Draft version %(n)d is ready for editing.") % {"n": draft.number})
        return redirect("console:item_edit", code=item.key)
    draft = queries.draft_of(item)
    if draft is None:
        return render(request, "console/item_edit.html", {"item": item, "draft": None},
                      status=200 if request.method == "GET" else 400)
    guide = selectors.guide_of(draft)
    status, problems = 200, []
    if request.method == "POST":
        form = GuideForm(request.POST)
        formset = MaterialFormSet(request.POST, prefix="materials")
        if form.is_valid() and formset.is_valid():
            try:
                services.version_update(actor=request.user, version=draft,
                                        guide={**form.guide(), "materials": formset.materials()})
            except DomainError as exc:
                status, problems = 400, exc.problems
            else:
                messages.success(request, _("The draft was saved."))
                return redirect("console:item_edit", code=item.key)
        else:
            status = 400
    else:
        form = GuideForm(initial=GuideForm.initial_from(guide))
        formset = MaterialFormSet(initial=guide["materials"], prefix="materials")
    return render(request, "console/item_edit.html", {
        "item": item, "draft": draft, "guide": guide, "form": form, "formset": formset,
        "problems": _labelled(problems),
    }, status=status)


def _validate_response(request, item, draft, *, problems, form=None, status=200):
    return render(request, "console/item_validate.html", {
        "item": item, "draft": draft, "problems": _labelled(problems),
        "publish_form": form or PublishForm(), "can_publish": has_permission(request.user, ITEM_PUBLISH),
    }, status=status)


@requires(ITEM_VIEW)
def item_validate(request, code: str):
    item = _access_item(request.user, code)
    draft = queries.draft_of(item)
    problems = publish_problems(selectors.guide_of(draft)) if draft else []
    return _validate_response(request, item, draft, problems=problems)


@requires(ITEM_PUBLISH)
@require_POST
def item_publish(request, code: str):
    item = _access_item(request.user, code)
    draft = queries.draft_of(item)
    form = PublishForm(request.POST)
    if draft is None:
        problems = [Problem("version.no_draft", "该事项没有草稿", "the item has no draft", "version")]
        return _validate_response(request, item, None, problems=problems, form=form, status=400)
    if not form.is_valid():
        return _validate_response(request, item, draft, problems=[], form=form, status=400)
    try:
        version = services.version_publish(actor=request.user, version=draft,
                                           effective_from=form.cleaned_data["effective_from"],
                                           reason=form.cleaned_data["reason"],
                                           completeness=form.cleaned_data["completeness"] or Completeness.COMPLETE)
    except DomainError as exc:
        return _validate_response(request, item, draft, problems=exc.problems, form=form, status=400)
    messages.success(request, _("Version %(n)d is published, in force from %(date)s.")
                     % {"n": version.number, "date": version.effective_from.isoformat()})
    return redirect("console:item", code=item.key)


@requires(ITEM_PUBLISH)
@require_POST
def item_retire(request, code: str):
    item = _access_item(request.user, code)
    form = RetireForm(request.POST)
    if not form.is_valid():
        return _item_response(request, code, status=400, retire_form=form)
    try:
        services.item_retire(actor=request.user, item=item, on=form.cleaned_data["on"],
                             reason=form.cleaned_data["reason"])
    except DomainError as exc:
        return _item_response(request, code, status=400, retire_form=form, problems=_labelled(exc.problems))
    messages.success(request, _("The item is retired from %(date)s.") % {"date": form.cleaned_data["on"].isoformat()})
    return redirect("console:item", code=item.key)


@requires(AUDIT_VIEW)
def audit(request):
    form = AuditFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    verification = audit_log.verify() if request.method == "POST" else None
    page = _page(request, queries.audit_events(action=filters.get("action", ""), target=filters.get("target", "")))
    return render(request, "console/audit.html", {"form": form, "page_obj": page, "verification": verification})


@requires(CALENDAR_EDIT)
def calendar(request, year: int | None = None):
    year = year or timezone.localdate().year
    if not 2000 <= year <= 2100:
        raise Http404
    problems = []
    if request.method == "POST":
        form = CalendarYearForm(request.POST)
        if form.is_valid():
            schedule = form.schedule()
            try:
                calendar_store.calendar_year_set(actor=request.user, **schedule)
            except DomainError as exc:
                problems = exc.problems
            else:
                messages.success(request, _("The official schedule for %(year)d is saved.") % {"year": schedule["year"]})
                return redirect("console:calendar", year=schedule["year"])
        status = 400
    else:
        form, status = None, 200
    page = queries.calendar_page(year)
    if form is None:
        form = CalendarYearForm(initial=CalendarYearForm.initial_from(page))
    return render(request, "console/calendar.html", {"page": page, "form": form, "problems": _labelled(problems),
                                                     "weekdays": _weekday_names()}, status=status)


def _weekday_names() -> list[str]:
    return [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
