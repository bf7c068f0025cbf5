"""Console pages for electronic licences: the licence-type catalogue (证照目录) for catalogue
administrators, and the licences an organ issued, with suspension, reinstatement and revocation, for
its approvers. Thin views: parse, call one service, post/redirect/get; every problem shown at once in
Chinese and English; another organ's licence answers 404.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from govhall.catalog.models import Organ
from govhall.catalog.scope import manageable_organs_q
from govhall.console.problems import form_labels, problem_rows
from govhall.core.errors import DomainError, Problem
from govhall.core.permissions import requires
from govhall.licenses import policy, services
from govhall.licenses.models import HolderKind, Licence, LicenceStatus, LicenceType
from govhall.licenses.permissions import LICENCE_MANAGE, TYPE_MANAGE

PAGE_SIZE = 50
FACE_EXAMPLE = json.dumps([{"name": "scope", "label_zh": "经营范围", "label_en": "business scope", "type": "text",
                            "required": True, "public": True}], ensure_ascii=False)


class LicenceTypeForm(forms.Form):
    defining_organ = forms.ModelChoiceField(queryset=Organ.objects.none(), label=gettext_lazy("Defining organ"))
    type_code = forms.CharField(max_length=21, label=gettext_lazy("Type code"),
                                help_text=gettext_lazy("The defining organ's credit code followed by 3 digits"))
    name = forms.CharField(max_length=100, label=gettext_lazy("Name"))
    holder_kind = forms.ChoiceField(choices=HolderKind.choices, label=gettext_lazy("Holder kind"))
    face_schema = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), label=gettext_lazy("Face fields (JSON)"),
                                  initial=FACE_EXAMPLE)
    validity_years = forms.IntegerField(required=False, min_value=1, max_value=100,
                                        label=gettext_lazy("Validity in years (empty: no expiry)"))
    template = forms.CharField(max_length=100, required=False, label=gettext_lazy("Template"),
                               help_text=gettext_lazy("Without a template the type cannot be issued"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["defining_organ"].queryset = Organ.objects.filter(manageable_organs_q(user)).order_by("name")

    def clean_face_schema(self):
        try:
            value = json.loads(self.cleaned_data["face_schema"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("Not valid JSON: %(error)s") % {"error": exc.msg}) from exc
        if not isinstance(value, list):
            raise forms.ValidationError(_("The face fields must be a JSON list of objects"))
        return value


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, label=gettext_lazy("Reason (told to the holder)"))


class LookupForm(forms.Form):
    q = forms.CharField(max_length=120, required=False, label=gettext_lazy("Identifier or holder name"))
    status = forms.ChoiceField(choices=[("", gettext_lazy("any status")), *LicenceStatus.choices], required=False,
                               label=gettext_lazy("Status"))


LABELS = form_labels(LicenceTypeForm, ReasonForm)


@requires(TYPE_MANAGE)
@require_http_methods(["GET", "POST"])
def types(request):
    """The licence types whose defining organ the user administers, and a form for a new one."""
    scope = Organ.objects.filter(manageable_organs_q(request.user))
    rows = (LicenceType.objects.filter(defining_organ__in=scope).select_related("defining_organ")
            .order_by("type_code"))
    form, problems, status = LicenceTypeForm(user=request.user), [], 200
    if request.method == "POST":
        form = LicenceTypeForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.licence_type_create(
                    actor=request.user, type_code=data["type_code"], name=data["name"],
                    holder_kind=data["holder_kind"], face_schema=data["face_schema"],
                    defining_organ=data["defining_organ"], validity_years=data["validity_years"],
                    template=data["template"])
            except DomainError as exc:
                problems, status = exc.problems, 400
            else:
                messages.success(request, _("Licence type %(code)s created.") % {"code": created.type_code})
                return redirect("licences_console:types")
        else:
            status = 400
    return render(request, "licenses/console/types.html",
                  {"rows": rows, "form": form, "problems": problem_rows(problems, LABELS)}, status=status)


@requires(LICENCE_MANAGE)
def licences(request):
    """Licences issued by the user's organs, newest first, searchable by identifier or holder."""
    form = LookupForm(request.GET or None)
    rows = Licence.objects.for_actor(request.user).select_related("licence_type", "issuer")
    if form.is_valid():
        q, status = form.cleaned_data["q"].strip(), form.cleaned_data["status"]
        if q:
            rows = rows.filter(Q(identifier=q) | Q(holder_name__startswith=q) | Q(case_number=q))
        if status:
            rows = rows.filter(status=status)
    return render(request, "licenses/console/licences.html", {"rows": rows[:PAGE_SIZE], "form": form,
                                                              "page_size": PAGE_SIZE})


def _access(user, identifier: str) -> Licence:
    licence = (Licence.objects.for_actor(user).filter(identifier=identifier)
               .select_related("licence_type", "issuer", "replaced_by").first())
    if licence is None:
        raise Http404
    return licence


def _detail(request, licence: Licence, *, problems=(), status=200):
    return render(request, "licenses/console/licence.html", {
        "licence": licence, "effective": licence.effective_status(),
        "events": licence.events.order_by("at", "pk"), "form": ReasonForm(),
        "can_suspend": licence.status == LicenceStatus.VALID and policy.can_suspend_licence(request.user, licence),
        "can_reinstate": (licence.status == LicenceStatus.SUSPENDED
                          and policy.can_reinstate_licence(request.user, licence)),
        "can_revoke": (licence.status in (LicenceStatus.VALID, LicenceStatus.SUSPENDED)
                       and policy.can_revoke_licence(request.user, licence)),
        "problems": problem_rows(problems, LABELS)}, status=status)


@requires(LICENCE_MANAGE)
def licence(request, identifier: str):
    return _detail(request, _access(request.user, identifier))


ACTIONS = {
    "suspend": (services.licence_suspend, gettext_lazy("Licence suspended; the holder was told.")),
    "reinstate": (services.licence_reinstate, gettext_lazy("Licence reinstated; the holder was told.")),
    "revoke": (services.licence_revoke, gettext_lazy("Licence revoked; the holder was told.")),
}


@requires(LICENCE_MANAGE)
@require_POST
def licence_action(request, identifier: str, action: str):
    if action not in ACTIONS:
        raise Http404
    licence = _access(request.user, identifier)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        problem = Problem("licenses.reason.required", "须填写理由", "a reason is required", "reason")
        return _detail(request, licence, problems=[problem], status=400)
    service, done = ACTIONS[action]
    try:
        service(actor=request.user, licence=licence, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        licence.refresh_from_db()
        return _detail(request, licence, problems=exc.problems, status=400)
    messages.success(request, done)
    return redirect("licences_console:licence", identifier=identifier)
