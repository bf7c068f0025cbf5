"""Console forms. Field lists are edited as text, one field a line:
``name | 中文标签 | English label | type | required | form field``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govhall.sharing.codes import Classification, ProviderKind, ShareClass, SubjectKind, UpdateFrequency


def fields_to_text(fields: list[dict]) -> str:
    return "\n".join(" | ".join([f["name"], f.get("label_zh", ""), f.get("label_en", ""), f.get("type", "text"),
                                 "required" if f.get("required") else "", f.get("form_field", "")]) for f in fields)


def text_to_fields(text: str) -> list[dict]:
    fields = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.split("|")]
        if not parts[0]:
            continue
        parts += [""] * (6 - len(parts))
        fields.append({"name": parts[0], "label_zh": parts[1], "label_en": parts[2], "type": parts[3] or "text",
                       "required": parts[4].lower() in ("required", "yes", "1", "是", "必填"), "form_field": parts[5]})
    return fields


class ResourceForm(forms.Form):
    code = forms.CharField(label=_("resource code"), max_length=50)
    name = forms.CharField(label=_("name"), max_length=100)
    name_en = forms.CharField(label=_("English name"), max_length=150, required=False)
    provider_organ = forms.ChoiceField(label=_("provider organ"))
    fields_text = forms.CharField(
        label=_("fields"), widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("one field a line: name | Chinese label | English label | text/date/number/bool | required | "
                    "application form field compared for Art. 9"))
    share_class = forms.ChoiceField(label=_("share class"), choices=ShareClass.choices)
    classification = forms.ChoiceField(label=_("classification level"), choices=Classification.choices)
    legal_basis = forms.CharField(label=_("legal basis"), widget=forms.Textarea(attrs={"rows": 2}))
    update_frequency = forms.ChoiceField(label=_("update frequency"), choices=UpdateFrequency.choices)
    subject_kind = forms.ChoiceField(label=_("subject key"), choices=SubjectKind.choices)
    provider_kind = forms.ChoiceField(label=_("provider"), choices=ProviderKind.choices)
    peer_code = forms.CharField(label=_("peer code"), max_length=50, required=False)

    def __init__(self, *args, organs=(), editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider_organ"].choices = [(o.pk, o.name) for o in organs]
        if editing:
            del self.fields["code"]
            del self.fields["provider_organ"]


class DatasetForm(forms.Form):
    file = forms.FileField(label=_("dataset file (CSV in UTF-8 or Excel .xlsx)"))
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class AgreementForm(forms.Form):
    resource = forms.ChoiceField(label=_("resource"))
    requester_organ = forms.ChoiceField(label=_("requesting organ"))
    fields_list = forms.CharField(label=_("fields (names separated by commas)"), max_length=1000)
    purpose = forms.CharField(label=_("purpose"), widget=forms.Textarea(attrs={"rows": 2}))
    legal_basis = forms.CharField(label=_("legal basis"), widget=forms.Textarea(attrs={"rows": 2}))
    valid_until = forms.DateField(label=_("valid until"),
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, resources=(), organs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = [(r.pk, str(r)) for r in resources]
        self.fields["requester_organ"].choices = [(o.pk, o.name) for o in organs]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", pgettext_lazy("sharing agreement", "approve")), ("refuse", _("refuse"))])
    note = forms.CharField(required=False, max_length=2000)


class DiscrepancyForm(forms.Form):
    decision = forms.ChoiceField(choices=[("correct", _("correct the source record")), ("dismiss", _("dismiss"))])
    value = forms.CharField(required=False, max_length=2000)
    reason = forms.CharField(max_length=2000, required=False)
