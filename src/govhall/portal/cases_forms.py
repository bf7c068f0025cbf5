"""Small forms of the applicant pages. The application form itself is ``forms_spec.FIELDS`` (shared
with the workbench and the API); the services check it at submission and list every problem."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils.translation import gettext_lazy as _

# The hidden token of the "Apply online" button: the request id of the page that showed it.
TOKEN = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def clean_token(raw: str | None) -> str:
    raw = (raw or "").strip()
    return raw if TOKEN.match(raw) else ""


def parse_date(raw: str | None) -> tuple[dt.date | None, bool]:
    """``(date, ok)``: an empty value is ``(None, True)``; an unreadable one ``(None, False)``."""
    raw = (raw or "").strip()
    if not raw:
        return None, True
    try:
        return dt.date.fromisoformat(raw), True
    except ValueError:
        return None, False


class ProgressForm(forms.Form):
    number = forms.CharField(label=_("Case number"), max_length=43, strip=True,
                             widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric",
                                                           "spellcheck": "false"}))
    query_code = forms.CharField(label=_("Query code"), max_length=8, strip=True,
                                 help_text=_("The 6 digits printed on your receipt."),
                                 widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric",
                                                               "spellcheck": "false"}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(label=_("I understand that withdrawing ends this case and cannot be undone."),
                                 required=True,
                                 error_messages={"required": _("Tick the box to confirm the withdrawal.")})
