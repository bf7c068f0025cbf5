"""Console forms for onboarding: shape only. Codes are checked, mapped and marked derived by the
registry and catalogue services, which list every problem at once."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govhall.catalog.codesets import ExerciseLevel, ItemType, OrganNature, RegionLevel
from govhall.catalog.models import Completeness

BLANK = [("", "—")]


class RegionForm(forms.Form):
    code = forms.CharField(label=_("Division code"), max_length=12,
                           help_text=_("6 digits (9 for a township), or the 12-digit statistical code, which is "
                                       "mapped and kept."))
    name = forms.CharField(label=_("Name"), max_length=60)
    level = forms.ChoiceField(label=_("Level"), required=False, choices=BLANK + list(RegionLevel.choices),
                              help_text=_("Leave empty to take it from the code."))
    parent = forms.ChoiceField(label=_("Parent region"), required=False)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = BLANK + [(r.code, f"{r.code} {r.name}") for r in regions]


class RegionEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)


class OrganForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    region = forms.ChoiceField(label=_("Region"))
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18, required=False,
                                  help_text=_("Leave empty while unknown: the organ is then marked to be completed."))
    org_code = forms.CharField(label=_("Organisation code (GB 11714)"), max_length=10, required=False,
                               help_text=_("Legacy 9-character code, also written XXXXXXXX-X."))
    level = forms.ChoiceField(label=_("Level"), required=False, choices=BLANK + list(ExerciseLevel.choices),
                              help_text=_("Leave empty to take it from the region."))
    nature = forms.ChoiceField(label=_("Nature"), required=False, choices=BLANK + list(OrganNature.choices))
    short_name = forms.CharField(label=_("Short name"), max_length=50, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    hours = forms.CharField(label=_("Office hours"), max_length=200, required=False)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        if "region" in self.fields:
            self.fields["region"].choices = [(r.code, f"{r.code} {r.name}") for r in regions]


class OrganEditForm(OrganForm):
    """Completing an organ: a blank code leaves the one on record."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["region"]
        self.fields["credit_code"].help_text = _("Leave empty to keep the code on record.")
        self.fields["org_code"].help_text = _("Leave empty to keep the code on record.")


class CatalogItemForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    item_type = forms.ChoiceField(label=_("Item type"), choices=ItemType.choices)
    region = forms.ChoiceField(label=_("Region"))
    basic_code = forms.CharField(label=_("Basic code"), max_length=12, required=False,
                                 help_text=_("The national basic code, when known (12 characters)."))
    local_code = forms.CharField(label=_("Local code"), max_length=100, required=False)
    legal_basis = forms.CharField(label=pgettext_lazy("catalogue item", "Legal basis"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    exercise_levels = forms.MultipleChoiceField(label=_("Exercise levels"), required=False,
                                                choices=ExerciseLevel.choices, widget=forms.CheckboxSelectMultiple)
    supplementary = forms.BooleanField(label=_("City supplementary item"), required=False)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        if "region" in self.fields:
            self.fields["region"].choices = [(r.code, f"{r.code} {r.name}") for r in regions]


class CatalogItemEditForm(CatalogItemForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("region", "local_code", "supplementary"):
            del self.fields[name]


class ItemNewForm(forms.Form):
    organ = forms.ChoiceField(label=_("Implementing organ"))
    name = forms.CharField(label=_("Item name"), max_length=200)
    item_type = forms.ChoiceField(label=_("Item type"), required=False, choices=BLANK + list(ItemType.choices),
                                  help_text=_("Needed unless the item implements a registered catalogue entry."))
    basic_code = forms.CharField(label=_("Basic code of a registered catalogue entry"), max_length=12,
                                 required=False)
    local_code = forms.CharField(label=_("Local code"), max_length=100, required=False)
    implementation_code = forms.CharField(label=_("Implementation code"), max_length=31, required=False)
    level = forms.ChoiceField(label=_("Exercise level"), required=False, choices=BLANK + list(ExerciseLevel.choices),
                              help_text=_("Leave empty to take it from the organ's region."))
    parent = forms.ChoiceField(label=_("Main item"), required=False,
                               help_text=_("Choose a main item (主项) to make this one of its sub-items (子项)."))
    location = forms.CharField(label=_("Location"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    hours = forms.CharField(label=_("Hours"), max_length=200, required=False)
    consultation_phone = forms.CharField(label=_("Consultation phone"), max_length=50, required=False)
    complaint_phone = forms.CharField(label=_("Complaint phone"), max_length=50, required=False)
    listed = forms.BooleanField(label=_("Publish it as listed now"), required=False, initial=True)

    def __init__(self, *args, organs=(), mains=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organ"].choices = [(o.pk, o.name) for o in organs]
        self.fields["parent"].choices = BLANK + [(m.pk, f"{m.organ.name} · {m.key}") for m in mains]


class ItemIdentityForm(forms.Form):
    implementation_code = forms.CharField(label=_("Implementation code"), max_length=31, required=False)
    derive_code = forms.BooleanField(label=_("Derive it from the organ's credit code, the level and the basic code"),
                                     required=False)
    parent = forms.ChoiceField(label=_("Main item"), required=False)

    def __init__(self, *args, mains=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = BLANK + [(m.pk, f"{m.key}") for m in mains]


class ImportForm(forms.Form):
    KINDS = [("items", _("Item list (a region's published list)")), ("regions", _("Regions")),
             ("organs", _("Organs")), ("catalog", _("Catalogue entries"))]
    kind = forms.ChoiceField(label=_("What the file holds"), choices=KINDS)
    region = forms.ChoiceField(label=_("Region of the list"), required=False,
                               help_text=_("For an item list: the region whose list it is. Rows without a "
                                           "division code belong to it."))
    file = forms.FileField(label=_("File (CSV, Excel .xlsx or JSON)"))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = BLANK + [(r.code, f"{r.code} {r.name}") for r in regions]


class CompletenessFilterForm(forms.Form):
    region = forms.CharField(label=_("Region"), max_length=9, required=False)
    organ = forms.ChoiceField(label=_("Organ"), required=False)

    def __init__(self, *args, organs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organ"].choices = BLANK + [(o.pk, o.name) for o in organs]


COMPLETENESS_CHOICES = [(Completeness.COMPLETE, _("complete guide")),
                        (Completeness.LISTED, _("listed only (guide not yet complete)"))]
