"""Console pages for the search vocabulary (检索词表) and the words citizens searched without
finding: thin views over catalog/services_vocabulary.py and catalog/search/stats.py."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from govhall.catalog import services_vocabulary as services
from govhall.catalog.models import ImplementationItem, Region, SearchSynonym, SynonymKind
from govhall.catalog.permissions import VOCABULARY_MANAGE
from govhall.catalog.search import stats
from govhall.core.errors import DomainError, NotFound
from govhall.core.permissions import requires

from .problems import form_labels, problem_rows

PER_PAGE = 50


class EntryForm(forms.Form):
    term = forms.CharField(max_length=50, label=gettext_lazy("Everyday word (口语)"))
    canonical = forms.CharField(max_length=600, required=False, label=gettext_lazy("Catalogue words (规范词)"),
                                help_text=gettext_lazy("Separate several with |, e.g. 社会保险|社会保障"))
    kind = forms.ChoiceField(choices=SynonymKind.choices, label=gettext_lazy("Kind"))
    item = forms.CharField(max_length=80, required=False, label=gettext_lazy("Item (implementation or local code)"),
                           help_text=gettext_lazy("Only for an item alias"))
    region = forms.CharField(max_length=9, required=False, label=gettext_lazy("Region code"),
                             help_text=gettext_lazy("Empty: everywhere"))
    active = forms.BooleanField(required=False, initial=True, label=gettext_lazy("Active"))
    note = forms.CharField(max_length=200, required=False, label=gettext_lazy("Note"))

    def resolved(self) -> dict:
        """Cleaned values with the item and region looked up; unknown ones become form errors."""
        data = dict(self.cleaned_data)
        code = data.pop("item").strip()
        item = None
        if code:
            item = (ImplementationItem.objects.filter(code=code).first()
                    or ImplementationItem.objects.filter(local_code=code).first())
            if item is None:
                self.add_error("item", _("No item has this code."))
        region_code = data.pop("region").strip()
        region = None
        if region_code:
            region = Region.objects.filter(code=region_code).first()
            if region is None:
                self.add_error("region", _("No region has this code."))
        return {**data, "item": item, "region": region}

    @classmethod
    def initial_from(cls, entry: SearchSynonym) -> dict:
        return {"term": entry.term, "canonical": "|".join(entry.canonical), "kind": entry.kind,
                "item": entry.item.code if entry.item_id else "", "region": entry.region_id or "",
                "active": entry.active, "note": entry.note}


class FilterForm(forms.Form):
    q = forms.CharField(max_length=50, required=False, label=gettext_lazy("Word or catalogue word"))


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV or Excel file"))


LABELS = form_labels(EntryForm, ImportForm)


def _list(request, *, form=None, import_form=None, problems=(), status=200):
    filters = FilterForm(request.GET)
    qs = SearchSynonym.objects.select_related("item", "region").order_by("term", "id")
    if filters.is_valid() and filters.cleaned_data["q"]:
        q = filters.cleaned_data["q"].strip()
        qs = qs.filter(Q(term__icontains=q) | Q(canonical__icontains=q))
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "console/vocabulary.html", {
        "page_obj": page, "filter_form": filters, "form": form or EntryForm(initial={"term": request.GET.get("term", "")}),
        "import_form": import_form or ImportForm(), "problems": problem_rows(list(problems), LABELS),
    }, status=status)


@requires(VOCABULARY_MANAGE)
@require_http_methods(["GET", "POST"])
def vocabulary(request):
    """The vocabulary, with a form for a new entry."""
    if request.method == "GET":
        return _list(request)
    form = EntryForm(request.POST)
    if not form.is_valid():
        return _list(request, form=form, status=400)
    values = form.resolved()
    if form.errors:
        return _list(request, form=form, status=400)
    try:
        entry = services.vocabulary_create(actor=request.user, **values)
    except DomainError as exc:
        return _list(request, form=form, problems=exc.problems, status=400)
    messages.success(request, _("“%(term)s” was added to the vocabulary.") % {"term": entry.term})
    return redirect("console:vocabulary")


def _access(request, pk: int) -> SearchSynonym:
    try:
        return services.access_entry(request.user, pk)
    except NotFound as exc:
        raise Http404 from exc


@requires(VOCABULARY_MANAGE)
@require_http_methods(["GET", "POST"])
def vocabulary_entry(request, pk: int):
    entry = _access(request, pk)
    problems, status = [], 200
    if request.method == "POST":
        form = EntryForm(request.POST)
        if form.is_valid():
            values = form.resolved()
            if not form.errors:
                try:
                    services.vocabulary_update(actor=request.user, entry=entry, **values)
                except DomainError as exc:
                    problems = exc.problems
                else:
                    messages.success(request, _("The entry was saved."))
                    return redirect("console:vocabulary")
        status = 400
    else:
        form = EntryForm(initial=EntryForm.initial_from(entry))
    return render(request, "console/vocabulary_entry.html",
                  {"entry": entry, "form": form, "problems": problem_rows(problems, LABELS)}, status=status)


@requires(VOCABULARY_MANAGE)
@require_POST
def vocabulary_delete(request, pk: int):
    entry = _access(request, pk)
    try:
        services.vocabulary_delete(actor=request.user, entry=entry)
    except DomainError as exc:
        return render(request, "console/vocabulary_entry.html",
                      {"entry": entry, "form": EntryForm(initial=EntryForm.initial_from(entry)),
                       "problems": problem_rows(exc.problems, LABELS)}, status=400)
    messages.success(request, _("“%(term)s” was removed from the vocabulary.") % {"term": entry.term})
    return redirect("console:vocabulary")


@requires(VOCABULARY_MANAGE)
@require_POST
def vocabulary_import(request):
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _list(request, import_form=form, status=400)
    upload = form.cleaned_data["file"]
    report = services.vocabulary_import(actor=request.user, data=upload.read(), file_name=upload.name)
    if not report.ok:
        return _list(request, import_form=form, problems=report.problems, status=400)
    messages.success(request, _("Imported %(rows)d rows: %(created)d new, %(updated)d changed, %(unchanged)d "
                                "unchanged.") % {"rows": report.rows, "created": report.created,
                                                 "updated": report.updated, "unchanged": report.unchanged})
    return redirect("console:vocabulary")


@requires(VOCABULARY_MANAGE)
def vocabulary_export(request):
    entries = SearchSynonym.objects.select_related("item").order_by("term", "id")
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(services.export_xlsx(entries),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="search-vocabulary.xlsx"'
        return response
    response = HttpResponse(services.export_csv(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="search-vocabulary.csv"'
    return response


@requires(VOCABULARY_MANAGE)
def search_words(request):
    """What citizens searched without finding (or without clicking): the words to add."""
    return render(request, "console/search_words.html", stats.words_to_add())
