"""Forms of the staff workbench.

They only parse and render: every rule (required reasons, day limits, who may act) is checked by the
service the view calls, which reports every problem at once. Each form carries the case's
``row_version`` so that an action taken on a stale page is refused with a conflict. Field ids are
prefixed per form (``auto_id``) because one case page shows many forms; field *names* stay plain.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from govhall.cases.models import CaseStep, Decision, Delivery
from govhall.catalog.codesets import SpecialProcedureKind

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class ActionForm(forms.Form):
    """Base: the hidden row version of the page the officer acted on."""

    prefix_id = "action"
    row_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.prefix_id}_%s")
        super().__init__(*args, **kwargs)


class AcceptForm(ActionForm):
    """Acceptance; for an immediate item (即办件) the decision is taken in the same step."""

    prefix_id = "accept"
    outcome = forms.ChoiceField(label=_("Decision"), choices=Decision.Outcome.choices, required=False,
                                widget=forms.RadioSelect)
    reasons = forms.CharField(label=_("Reasons"), required=False, widget=TEXTAREA)
    legal_basis = forms.CharField(label=_("Legal basis"), required=False, widget=TEXTAREA)

    def __init__(self, *args, immediate: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not immediate:
            for name in ("outcome", "reasons", "legal_basis"):
                del self.fields[name]


class RefuseForm(ActionForm):
    prefix_id = "refuse"
    reason = forms.CharField(label=_("Reason for not accepting"), required=False, widget=TEXTAREA)
    legal_basis = forms.CharField(label=_("Legal basis"), required=False, widget=TEXTAREA)


class ClaimForm(ActionForm):
    prefix_id = "claim"
    assignee = forms.TypedChoiceField(label=_("Assign to"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("myself"))] + [(u.pk, str(u.get_full_name() or u.get_username()))
                                                                 for u in colleagues]


class StepForm(ActionForm):
    prefix_id = "step"
    step_id = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(label=_("Result"), widget=forms.RadioSelect, required=False,
                               choices=[(CaseStep.Action.PASS, _("pass to the next step")),
                                        (CaseStep.Action.RETURN, _("return to the previous step"))])
    opinion = forms.CharField(label=_("Opinion"), required=False, widget=TEXTAREA)


class JointForm(ActionForm):
    prefix_id = "joint"
    step_id = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(label=_("Joint opinion"), widget=forms.RadioSelect, required=False,
                               choices=[(CaseStep.Action.PASS, _("agree")),
                                        (CaseStep.Action.OBJECT, _("object"))])
    opinion = forms.CharField(label=_("Opinion"), required=False, widget=TEXTAREA)


class SpecialStartForm(ActionForm):
    prefix_id = "special"
    kind = forms.ChoiceField(label=_("Kind of special procedure"), choices=SpecialProcedureKind.choices,
                             required=False)
    reason = forms.CharField(label=_("Reason"), required=False, widget=TEXTAREA)
    legal_basis = forms.CharField(label=_("Legal basis"), required=False, widget=TEXTAREA)
    expected_days = forms.CharField(label=_("Expected duration (working days)"), required=False,
                                    widget=forms.NumberInput(attrs={"min": 1, "max": 60, "inputmode": "numeric"}))


class SpecialEndForm(ActionForm):
    prefix_id = "special_end"
    procedure_id = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.CharField(label=_("Result of the special procedure"), required=False, widget=TEXTAREA)


class ExtensionForm(ActionForm):
    prefix_id = "extension"
    days = forms.CharField(label=_("Extra working days"), required=False,
                           widget=forms.NumberInput(attrs={"min": 1, "max": 15, "inputmode": "numeric"}))
    reason = forms.CharField(label=_("Reason for the extension"), required=False, widget=TEXTAREA)


class ExtensionDecideForm(ActionForm):
    prefix_id = "extension_decide"
    extension_id = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note (optional)"), required=False)


class DecisionForm(ActionForm):
    prefix_id = "decide"
    outcome = forms.ChoiceField(label=_("Decision"), choices=Decision.Outcome.choices, required=False,
                                widget=forms.RadioSelect)
    reasons = forms.CharField(label=_("Reasons"), required=False, widget=TEXTAREA)
    legal_basis = forms.CharField(label=_("Legal basis"), required=False, widget=TEXTAREA)


class DeliveryForm(ActionForm):
    prefix_id = "deliver"
    method = forms.ChoiceField(label=_("Delivery method"), choices=Delivery.Method.choices, required=False)
    address = forms.CharField(label=_("Postal address"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("Required for delivery by post."))
    tracking_number = forms.CharField(label=_("Tracking number"), required=False, max_length=60)


class CounterLookupForm(forms.Form):
    """The window: find the citizen by resident ID number and name, and the item they apply for."""

    id_number = forms.CharField(label=_("Resident ID number"), max_length=18, min_length=18,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    name = forms.CharField(label=_("Full name"), max_length=100)
    item_code = forms.ChoiceField(label=_("Item"))

    def __init__(self, *args, items=(), **kwargs):
        kwargs.setdefault("auto_id", "counter_%s")
        super().__init__(*args, **kwargs)
        self.fields["item_code"].choices = [("", "—")] + [(code, f"{name} ({code})") for code, name in items]
