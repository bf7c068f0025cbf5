"""Console forms: shape only. Business rules (time limits, material rules, publish requirements)
are checked by the catalogue services, which list every problem at once."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govhall.catalog.codesets import HandlingForm, OnlineDepth, ServiceObject
from govhall.catalog.guide import MATERIAL_FIELDS, SCALAR_FIELDS
from govhall.catalog.models import Completeness, ItemVersion, Material

from .queries import ITEM_STATES

_KEYWORD_SPLIT = re.compile(r"[;；,，\n]+")
LIST_CHOICE_FIELDS = {"service_objects": ServiceObject, "online_depth": OnlineDepth, "handling_forms": HandlingForm}
_TEXTAREAS = {"legal_basis", "acceptance_conditions", "intermediary_services", "location"}


def _model_field(model, name: str) -> forms.Field:
    field = model._meta.get_field(name).formfield()
    if name in _TEXTAREAS or isinstance(field.widget, forms.Textarea):
        field.widget = forms.Textarea(attrs={"rows": 3})
    return field


class GuideForm(forms.Form):
    """The guide's scalar fields (catalog/guide.py SCALAR_FIELDS), labels taken from the model."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SCALAR_FIELDS:
            if name in LIST_CHOICE_FIELDS:
                self.fields[name] = forms.MultipleChoiceField(
                    label=ItemVersion._meta.get_field(name).verbose_name, required=False,
                    choices=LIST_CHOICE_FIELDS[name].choices, widget=forms.CheckboxSelectMultiple)
            elif name == "keywords":
                self.fields[name] = forms.CharField(
                    label=ItemVersion._meta.get_field(name).verbose_name, required=False, max_length=500,
                    help_text=_("Separate keywords with semicolons (;)."))
            else:
                self.fields[name] = _model_field(ItemVersion, name)

    @classmethod
    def initial_from(cls, guide: dict) -> dict:
        initial = {k: guide.get(k) for k in SCALAR_FIELDS}
        initial["keywords"] = "; ".join(guide.get("keywords") or [])
        return initial

    def clean_keywords(self) -> list[str]:
        words = [w.strip() for w in _KEYWORD_SPLIT.split(self.cleaned_data.get("keywords") or "")]
        return list(dict.fromkeys(w for w in words if w))

    def guide(self) -> dict:
        data = {k: self.cleaned_data[k] for k in SCALAR_FIELDS}
        for name in LIST_CHOICE_FIELDS:
            data[name] = list(data[name])
        return data


class MaterialForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in MATERIAL_FIELDS:
            field = _model_field(Material, name)
            if name in ("paper_legal_basis", "acceptance_standard", "notes"):
                field.widget = forms.Textarea(attrs={"rows": 2})
            self.fields[name] = field


class BaseMaterialFormSet(forms.BaseFormSet):
    def materials(self) -> list[dict]:
        """Rows in order, without deleted rows and untouched blank rows."""
        rows = []
        for i, form in enumerate(self.forms):
            blank_extra = i >= self.initial_form_count() and not form.has_changed()
            if blank_extra or (self.can_delete and self._should_delete_form(form)):
                continue
            rows.append({k: form.cleaned_data.get(k) for k in MATERIAL_FIELDS})
        return rows


MaterialFormSet = forms.formset_factory(MaterialForm, formset=BaseMaterialFormSet, extra=1, can_delete=True)


class PublishForm(forms.Form):
    effective_from = forms.DateField(label=_("Effective from"),
                                     widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    completeness = forms.ChoiceField(
        label=_("Publish as"), initial=Completeness.COMPLETE, required=False,
        choices=[(Completeness.COMPLETE, _("complete guide")),
                 (Completeness.LISTED, _("listed only: the guide is not yet complete"))],
        help_text=_("A listed item shows citizens which parts are not yet published and takes no online "
                    "applications."))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"effective_from": timezone.localdate()})
        super().__init__(*args, **kwargs)


class RetireForm(forms.Form):
    on = forms.DateField(label=_("Retire from"), widget=forms.DateInput(attrs={"type": "date"},
                                                                         format="%Y-%m-%d"))
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ItemFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or code"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("any"))] + [(s, s) for s in ITEM_STATES])
    organ = forms.TypedChoiceField(label=_("Organ"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, organs=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = {"draft": _("with a draft"), "current": _("in force"), "listed": _("listed, guide not complete"),
                  "scheduled": _("scheduled"), "retired": _("retired")}
        self.fields["state"].choices = [("", _("any"))] + [(s, labels[s]) for s in ITEM_STATES]
        self.fields["organ"].choices = [("", _("all organs"))] + [(o.pk, o.name) for o in organs]


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action starts with"), required=False, max_length=100,
                             widget=forms.TextInput(attrs={"placeholder": "catalog.item."}))
    target = forms.CharField(label=_("Target (id, type or name)"), required=False, max_length=300)


_DATE_OR_RANGE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:\.\.|~|～|至)\s*(\d{4}-\d{1,2}-\d{1,2}))?(?:\s+(.*))?$")


def parse_date_lines(text: str) -> tuple[dict[dt.date, str], list[str]]:
    """``YYYY-MM-DD [note]`` or ``YYYY-MM-DD..YYYY-MM-DD [note]``, one per line.

    Returns the dates with their notes and the errors (one message per bad line)."""
    dates: dict[dt.date, str] = {}
    errors: list[str] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _DATE_OR_RANGE.match(line)
        try:
            if not match:
                raise ValueError
            start = dt.date.fromisoformat(_pad(match[1]))
            end = dt.date.fromisoformat(_pad(match[2])) if match[2] else start
        except ValueError:
            errors.append(_("Line %(n)d: “%(line)s” is not a date (YYYY-MM-DD) or a range "
                            "(YYYY-MM-DD..YYYY-MM-DD).") % {"n": number, "line": line})
            continue
        if end < start or (end - start).days > 60:
            errors.append(_("Line %(n)d: the range “%(line)s” must run forwards and span at most 60 days.")
                          % {"n": number, "line": line})
            continue
        note = (match[3] or "").strip()[:60]
        day = start
        while day <= end:
            dates[day] = note
            day += dt.timedelta(days=1)
    return dates, errors


def _pad(text: str) -> str:
    y, m, d = text.split("-")
    return f"{y}-{int(m):02d}-{int(d):02d}"


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    source = forms.CharField(label=_("Source (State Council notice number)"), max_length=200)
    holidays = forms.CharField(
        label=_("Statutory holidays"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One date or range per line, optionally followed by the holiday's name, e.g. "
                    "2027-10-01..2027-10-07 National Day."))
    make_up_days = forms.CharField(
        label=_("Make-up working days"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Weekend days that are working days, one per line, e.g. 2027-09-26 make-up working day."))

    def clean(self):
        data = super().clean()
        year = data.get("year")
        holidays, errors = parse_date_lines(data.get("holidays", ""))
        for e in errors:
            self.add_error("holidays", e)
        make_up, errors = parse_date_lines(data.get("make_up_days", ""))
        for e in errors:
            self.add_error("make_up_days", e)
        if year:
            for name, dates in (("holidays", holidays), ("make_up_days", make_up)):
                outside = sorted(d for d in dates if d.year != year)
                if outside:
                    self.add_error(name, _("%(date)s is not in %(year)d.") % {"date": outside[0], "year": year})
        both = sorted(set(holidays) & set(make_up))
        if both:
            self.add_error("make_up_days", _("%(date)s is listed both as a holiday and as a working day.")
                           % {"date": both[0]})
        data["holiday_dates"], data["make_up_dates"] = holidays, make_up
        return data

    def schedule(self) -> dict:
        holidays, make_up = self.cleaned_data["holiday_dates"], self.cleaned_data["make_up_dates"]
        notes = {d: n for d, n in {**holidays, **make_up}.items() if n}
        return {"year": self.cleaned_data["year"], "source": self.cleaned_data["source"].strip(),
                "non_working": set(holidays), "extra_working": set(make_up), "notes": notes}

    @staticmethod
    def initial_from(page) -> dict:
        def lines(pairs):
            return "\n".join(f"{d.isoformat()} {n}".strip() for d, n in pairs)

        return {"year": page.year, "source": page.source, "holidays": lines(page.holidays),
                "make_up_days": lines(page.make_up_days)}
