"""Account forms: shape only. The identity services check the rules and list every problem."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govhall.identity.codes import IdType

_CODE_SPLIT = re.compile(r"[\s,，;；]+")


class RegisterForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=30,
                               help_text=_("3 to 30 letters, digits or @ . + - _"),
                               widget=forms.TextInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(label=_("Password"), strip=False,
                               help_text=_("At least 10 characters, not only digits, not a common password."),
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password_again = forms.CharField(label=_("Password again"), strip=False,
                                     widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    name = forms.CharField(label=_("Name as on the document"), max_length=100,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    id_type = forms.ChoiceField(label=_("Document type"), choices=IdType.choices, initial=IdType.RESIDENT_ID)
    id_number = forms.CharField(label=_("Document number"), max_length=30,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    phone = forms.CharField(label=_("Mobile number"), max_length=20,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
    email = forms.CharField(label=_("Email (optional)"), max_length=254, required=False,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("The two passwords differ."))
        return data


class CompanyForm(forms.Form):
    name = forms.CharField(label=_("Registered name of the organisation"), max_length=200)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18, min_length=18,
                                  widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))


class GrantForm(forms.Form):
    legal_person = forms.TypedChoiceField(label=_("Organisation"), coerce=int, choices=())
    agent_name = forms.CharField(label=_("Agent's name"), max_length=100)
    agent_id_type = forms.ChoiceField(label=_("Agent's document type"), choices=IdType.choices,
                                      initial=IdType.RESIDENT_ID)
    agent_id_number = forms.CharField(label=_("Agent's document number"), max_length=30,
                                      widget=forms.TextInput(attrs={"autocomplete": "off"}))
    scope = forms.ChoiceField(label=_("Authority covers"), widget=forms.RadioSelect, initial="items",
                              choices=[("all", _("all items")), ("items", _("only the items listed below"))])
    item_codes = forms.CharField(label=_("Implementation codes"), required=False,
                                 help_text=_("31-character implementation codes, one per line."),
                                 widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}))
    valid_until = forms.DateField(label=_("Valid until (inclusive)"),
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, legal_persons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_person"].choices = [(lp.pk, str(lp)) for lp in legal_persons]

    def codes(self) -> list[str]:
        return [c for c in _CODE_SPLIT.split(self.cleaned_data.get("item_codes") or "") if c]

    def expires_at(self) -> dt.datetime:
        """The end of the chosen day in Asia/Shanghai: the mandate is valid through that date."""
        next_day = self.cleaned_data["valid_until"] + dt.timedelta(days=1)
        return timezone.make_aware(dt.datetime.combine(next_day, dt.time()))


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason for revocation"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))
