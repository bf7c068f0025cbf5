"""The staff workbench: queues, the case file, one POST endpoint per action, stored files, and the
counter (window) applications.

Thin views: parse the request, call one service (the only way a case or an application changes),
redirect back with a message (post/redirect/get). A ``Conflict`` (someone acted first, or the page
was stale: every form posts the ``row_version`` it showed) re-renders the case page with HTTP 409, any
other ``DomainError`` with HTTP 400, every problem in Chinese and English; nothing is half-done
because each service is one transaction. Cases outside the user's organs answer 404 (``access_case``).
What a page *offers* is derived from the case's state and the user's organ-scoped permissions; the
services check the same rules again.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST

from govhall.cases import clock, payments, selectors, services
from govhall.cases.forms_spec import FIELDS, fields_for
from govhall.cases.http import INLINE_TYPES, serve_stored, upload_material
from govhall.cases.models import (
    Application,
    ApplicationMaterial,
    Case,
    CaseState,
    CaseStep,
    Channel,
    CorrectionNotice,
    Decision,
    Delivery,
    Extension,
    MaterialFile,
    PaymentOrder,
    ResultFile,
    Stage,
)
from govhall.cases.permissions import CASE_ACCEPT, CASE_DECIDE, CASE_HANDLE, CASE_VIEW
from govhall.cases.scope import organ_ids, roles_with
from govhall.catalog.codesets import FETCHED_SOURCES, Necessity
from govhall.catalog.models import Completeness, ItemVersion, in_force_q
from govhall.core.errors import Conflict, DomainError, NotFound, Problem
from govhall.core.permissions import requires
from govhall.core.problems import problem_rows
from govhall.identity import selectors as identity
from govhall.identity.models import StaffRole
from govhall.sharing.selectors import attach_provenance
from govhall.workbench.forms import (
    AcceptForm,
    ClaimForm,
    CounterLookupForm,
    DecisionForm,
    DeliveryForm,
    ExtensionDecideForm,
    ExtensionForm,
    JointForm,
    RefuseForm,
    SpecialEndForm,
    SpecialStartForm,
    StepForm,
)

PER_PAGE = 50
Status = ApplicationMaterial.Status
HANDLING_STATES = (CaseState.SUBMITTED, CaseState.CORRECTION, CaseState.IN_PROGRESS, CaseState.SUSPENDED)
ACCEPT_FILES = ".pdf,.jpg,.jpeg,.png,.ofd,.tif,.tiff"


# --- helpers ------------------------------------------------------------------------------------


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _field_label(f) -> str:
    return f.label_en if _english() else f.label_zh


def _warning_labels() -> dict[str, str]:
    return {"overdue": _("overdue"), "red": _("due today or tomorrow"), "yellow": _("due within 3 working days"),
            "green": _("on time")}


def _access(request, number: str) -> Case:
    try:
        return selectors.access_case(request.user, number)
    except NotFound as exc:
        raise Http404(number) from exc


def _problem(code: str, zh: str, en: str, field: str = "") -> Problem:
    return Problem(code, zh, en, field)


def _expected_version(request) -> int:
    """The row version of the page the officer acted on (a hidden field of every action form)."""
    try:
        return int(request.POST["row_version"])
    except (KeyError, ValueError):
        raise DomainError.single("cases.console.row_version", "页面已过期，请刷新后重试",
                                 "the page is out of date: reload it and try again", "") from None


def _int_or_problem(value: str, field: str, zh: str, en: str, *, required: bool = True, low: int = 1,
                    high: int = 60) -> tuple[int | None, list[Problem]]:
    value = (value or "").strip()
    if not value and not required:
        return None, []
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        return None, [_problem("cases.console.number", zh, en, field)]
    return number, []


FIELD_LABELS = {
    "reason": N_("Reason"), "reasons": N_("Reasons"), "legal_basis": N_("Legal basis"), "outcome": N_("Decision"),
    "opinion": N_("Opinion"), "action": N_("Result"), "kind": N_("Kind of special procedure"),
    "expected_days": N_("Expected duration (working days)"), "result": N_("Result of the special procedure"),
    "days": N_("Extra working days"), "method": N_("Delivery method"), "address": N_("Postal address"),
    "assignee": N_("Assign to"), "items": N_("Correction notice"), "deadline_days": N_("Correction deadline (working days)"),
    "step": N_("Step"), "status": N_("Material"), "material": N_("Material"), "applicant": N_("Applicant"), "item": N_("Item"),
    "id_number": N_("Resident ID number"), "name": N_("Full name"), "file": N_("File"),
    "decision": N_("Approve or refuse"),
}


def _labelled(problems, extra: dict[str, str] | None = None) -> list[dict]:
    """Rows for console/_problems.html: the problem, a human label of its field, and the field."""
    labels = {k: _(v) for k, v in FIELD_LABELS.items()} | {f.name: _field_label(f) for f in FIELDS} | (extra or {})
    return problem_rows(problems, labels)


# --- 1. queues ------------------------------------------------------------------------------------


@requires(CASE_VIEW)
def queues(request):
    user = request.user
    counts = selectors.queue_counts(user)
    stage = request.GET.get("queue", "")
    if stage not in selectors.QUEUES:
        stage = next((s for s in selectors.QUEUES if counts.get(s)), Stage.ACCEPT)
    try:
        offset = max(0, int(request.GET.get("offset", "0")))
    except ValueError:
        offset = 0
    rows = selectors.queue(user, stage, limit=PER_PAGE + 1, offset=offset)
    has_next, rows = len(rows) > PER_PAGE, rows[:PER_PAGE]
    labels = _warning_labels()
    today = timezone.localdate()
    for case in rows:
        case.warning = selectors.warning(case, today)
        case.warning_label = labels[case.warning]
    tabs = [{"stage": s, "label": Stage(s).label, "count": counts.get(s, 0), "current": s == stage}
            for s in selectors.QUEUES]
    return render(request, "cases/console/queues.html", {
        "tabs": tabs, "stage": stage, "stage_label": Stage(stage).label, "rows": rows, "offset": offset,
        "first": offset + 1 if rows else 0, "last": offset + len(rows),
        "previous_offset": max(0, offset - PER_PAGE) if offset else None,
        "next_offset": offset + PER_PAGE if has_next else None, "can_counter": bool(organ_ids(user, CASE_ACCEPT)),
    })


# --- 2. the case file -----------------------------------------------------------------------------


def _clock_info(case: Case) -> dict:
    if case.state in (CaseState.CLOSED, CaseState.NOT_ACCEPTED, CaseState.WITHDRAWN, CaseState.CORRECTION_EXPIRED):
        return {"kind": "closed"}
    current = services.clock_of(case)
    if current is None:
        return {"kind": "not_started", "acceptance_due": case.acceptance_due}
    return {"kind": "running" if current.running else "stopped", "clock": current}


def _colleagues(case: Case, user) -> list:
    """Staff of the case's organ who may take the current stage (the service checks it again)."""
    permission = CASE_ACCEPT if case.stage == Stage.ACCEPT else CASE_HANDLE
    roles = (StaffRole.objects.filter(organ_id=case.organ_id, role__in=roles_with(permission))
             .exclude(user=user).select_related("user").order_by("user__username"))
    seen, users = set(), []
    for role in roles:
        if role.user_id not in seen and role.user.is_active:
            seen.add(role.user_id)
            users.append(role.user)
    return users


def _abilities(user, case: Case, steps: list[CaseStep], notice, procedures, extensions) -> dict:
    """Which actions this user may take on the case now (the services check the same rules)."""
    org = case.organ_id
    accept = org in organ_ids(user, CASE_ACCEPT)
    handle = org in organ_ids(user, CASE_HANDLE)
    decide = org in organ_ids(user, CASE_DECIDE)
    handle_organs = set(organ_ids(user, CASE_HANDLE))
    state = case.state
    current = next((s for s in steps if s.pk == case.current_step_id), None)
    step_ok = (state == CaseState.IN_PROGRESS and current is not None and current.state == CaseStep.State.ACTIVE
               and current.kind != CaseStep.Kind.JOINT
               and (decide if current.kind == CaseStep.Kind.APPROVE else handle))
    open_procedure = next((p for p in procedures if p.ended_on is None), None)
    pending = [e for e in extensions if e.state == Extension.State.REQUESTED]
    extension_open = any(e.state in (Extension.State.REQUESTED, Extension.State.APPROVED) for e in extensions)
    limit = clock.extension_limit(case.is_joint)
    return {
        "accept": state == CaseState.SUBMITTED and accept,
        "refuse": state == CaseState.SUBMITTED and accept,
        "correction": state == CaseState.SUBMITTED and accept and notice is None,
        "claim": state in HANDLING_STATES and (accept if case.stage == Stage.ACCEPT else handle),
        "step": step_ok,
        "step_current": current if step_ok else None,
        "step_may_return": step_ok and any(s.order < current.order and s.kind != CaseStep.Kind.JOINT for s in steps),
        "joint_steps": [s for s in steps if s.kind == CaseStep.Kind.JOINT and s.state == CaseStep.State.ACTIVE
                        and s.organ_id in handle_organs] if state == CaseState.IN_PROGRESS else [],
        "special_start": state == CaseState.IN_PROGRESS and handle,
        "special_end": open_procedure if state == CaseState.SUSPENDED and handle else None,
        "extension_request": (state in (CaseState.IN_PROGRESS, CaseState.SUSPENDED) and handle and not extension_open
                              and case.extension_days < limit),
        "extension_limit": limit - case.extension_days,
        "extension_pending": pending if state in (CaseState.IN_PROGRESS, CaseState.SUSPENDED) and decide else [],
        "decide": state == CaseState.IN_PROGRESS and case.stage == Stage.DECIDE and decide,
        "licence_face": state in (CaseState.SUBMITTED, CaseState.IN_PROGRESS, CaseState.SUSPENDED) and handle,
        "deliver": state == CaseState.DECIDED and accept,
    }


def _bind(bound, key: str, case: Case):
    """The POSTed data of the form that failed (re-shown with the case's current row version)."""
    if not bound or bound[0] != key:
        return None
    data = bound[1].copy()
    data["row_version"] = str(case.row_version)
    return data


def _material_rows(application: Application) -> list[ApplicationMaterial]:
    rows = list(application.materials.select_related("material").prefetch_related("files__stored"))
    for row in rows:
        row.all_files = list(row.files.all())
        for f in row.all_files:
            f.previewable = f.stored.content_type in INLINE_TYPES

    attach_provenance(rows)  # provenance of fetched materials (resource, provider, version, time)
    return rows


def _case_response(request, case: Case, *, problems=(), status: int = 200, bound=None):
    user = request.user
    application = case.application
    steps = list(case.steps.all())
    notice = (CorrectionNotice.objects.filter(case=case)
              .prefetch_related("items__application_material__material").first())
    procedures = list(case.special_procedures.all())
    extensions = list(case.extensions.select_related("requested_by", "decided_by"))
    can = _abilities(user, case, steps, notice, procedures, extensions)
    initial = {"row_version": case.row_version}
    materials = _material_rows(application)
    english = _english()
    form_values = application.form_data or {}
    all_fields = fields_for(case.version)
    known = {f.name for f in all_fields}
    corrected = case.face_corrections or {}
    form_rows = [{"label": _field_label(f), "value": form_values.get(f.name, ""), "group": f.group,
                  "corrected": corrected.get(f.name)} for f in all_fields]
    form_rows += [{"label": k, "value": v, "group": "contact"} for k, v in sorted(form_values.items())
                  if k not in known]
    face_form = None
    if can["licence_face"] and any(f.group == "licence" for f in all_fields):
        posted = bound[1] if bound and bound[0] == "licence_face" else None
        face_form = [{"name": f.name, "label": _field_label(f), "required": f.required, "multiline": f.multiline,
                      "type": f.input_type,
                      "value": posted.get(f.name, "") if posted else corrected.get(f.name, form_values.get(f.name, ""))}
                     for f in all_fields if f.group == "licence"]
    correction_post = bound[1] if bound and bound[0] == "correction" else None
    checked_materials = set(correction_post.getlist("material")) if correction_post else set()
    checked_fields = set(correction_post.getlist("form_field")) if correction_post else set()
    correctable = [{"row": r, "checked": str(r.material_id) in checked_materials,
                    "problem": correction_post.get(f"problem_material_{r.material_id}", "") if correction_post else ""}
                   for r in materials if r.status != Status.TO_FETCH and r.material.source not in FETCHED_SOURCES]
    correctable_fields = [{"name": f.name, "label": _field_label(f), "checked": f.name in checked_fields,
                           "problem": correction_post.get(f"problem_field_{f.name}", "") if correction_post else ""}
                          for f in all_fields]
    preview = None
    preview_id = request.GET.get("preview", "")
    if preview_id.isdigit():
        preview = next((f for r in materials for f in r.all_files if f.pk == int(preview_id) and f.previewable), None)
    events = [{"event": e, "summary": e.summary_en if english else e.summary_zh}
              for e in selectors.timeline(case, public_only=False).select_related("actor")]
    try:
        signature_ok = selectors.signature_valid(case)
    except Exception:  # noqa: BLE001 (a broken signature or key is shown as invalid, never a 500)
        signature_ok = False

    def form(cls, key, **kwargs):
        data = _bind(bound, key, case)
        return cls(data, **kwargs) if data is not None else cls(initial=initial | kwargs.pop("initial", {}),
                                                                **kwargs)

    forms = {
        "accept": form(AcceptForm, "accept", immediate=case.is_immediate) if can["accept"] else None,
        "refuse": form(RefuseForm, "refuse") if can["refuse"] else None,
        "claim": form(ClaimForm, "claim", colleagues=_colleagues(case, user)) if can["claim"] else None,
        "step": (form(StepForm, "step", initial={"step_id": can["step_current"].pk, "action": "pass"})
                 if can["step"] else None),
        "joint": [(s, form(JointForm, f"joint:{s.pk}", initial={"step_id": s.pk},
                           auto_id=f"joint{s.pk}_%s")) for s in can["joint_steps"]],
        "special_start": form(SpecialStartForm, "special_start") if can["special_start"] else None,
        "special_end": (form(SpecialEndForm, "special_end", initial={"procedure_id": can["special_end"].pk})
                        if can["special_end"] else None),
        "extension": form(ExtensionForm, "extension") if can["extension_request"] else None,
        "extension_decide": [(e, form(ExtensionDecideForm, f"extension_decide:{e.pk}", initial={"extension_id": e.pk},
                                      auto_id=f"extension{e.pk}_%s")) for e in can["extension_pending"]],
        "decide": form(DecisionForm, "decide") if can["decide"] else None,
        "deliver": form(DeliveryForm, "deliver") if can["deliver"] else None,
    }
    payment = PaymentOrder.objects.filter(case=case).first()
    extra_labels = {f"items[{i}]": label for i, label in enumerate(bound[2])} if bound and len(bound) > 2 else {}
    context = {
        "case": case, "application": application, "clock_info": _clock_info(case),
        "warning": selectors.warning(case), "warning_labels": _warning_labels(),
        "materials": materials, "form_rows": form_rows, "signature_ok": signature_ok, "steps": steps,
        "handling_steps": [s for s in steps if s.kind != CaseStep.Kind.JOINT],
        "joint_steps": [s for s in steps if s.kind == CaseStep.Kind.JOINT],
        "notice": notice, "procedures": procedures, "extensions": extensions,
        "decision": Decision.objects.filter(case=case).select_related("decided_by").first(),
        "delivery": Delivery.objects.filter(case=case).select_related("delivered_by").first(),
        "payment": payment, "payment_yuan": payments.format_fen(payment.amount_fen) if payment else "",
        "results": list(ResultFile.objects.filter(case=case).select_related("stored")),
        "events": events, "can": can, "forms": forms, "preview": preview,
        "correctable": correctable, "correctable_fields": correctable_fields, "face_form": face_form,
        "face_rows": [r for r in form_rows if r["group"] == "licence"],
        "face_reason": bound[1].get("reason", "") if bound and bound[0] == "licence_face" else "",
        "correction_deadline_days": correction_post.get("deadline_days", "") if correction_post else "",
        "default_correction_days": services.correction_days(),
        "problems": _labelled(problems, extra_labels), "row_version": case.row_version,
        "any_action": any(v for k, v in can.items() if k not in ("extension_limit", "step_may_return")),
    }
    return render(request, "cases/console/case.html", context, status=status)


@requires(CASE_VIEW)
def case_detail(request, number: str):
    return _case_response(request, _access(request, number))


def _act(request, number: str, key: str, run, success: str, labels: list[str] | None = None):
    """Run one action: the service call ``run(case, expected_version)``; PRG on success."""
    case = _access(request, number)
    try:
        run(case, _expected_version(request))
    except Conflict as exc:
        return _case_response(request, _access(request, number), problems=exc.problems, status=409,
                              bound=(key, request.POST, labels or []))
    except DomainError as exc:
        return _case_response(request, _access(request, number), problems=exc.problems, status=400,
                              bound=(key, request.POST, labels or []))
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    messages.success(request, success)
    return redirect(reverse("workbench:case", args=[number]))


def _post(request, name: str) -> str:
    return request.POST.get(name, "").strip()


@requires(CASE_ACCEPT)
@require_POST
def accept(request, number: str):
    def run(case, version):
        services.case_accept(actor=request.user, case=case, expected_version=version,
                             outcome=_post(request, "outcome"), reasons=_post(request, "reasons"),
                             legal_basis=_post(request, "legal_basis"))

    return _act(request, number, "accept", run, _("The case was accepted."))


@requires(CASE_ACCEPT)
@require_POST
def refuse(request, number: str):
    def run(case, version):
        services.case_refuse(actor=request.user, case=case, reason=_post(request, "reason"),
                             legal_basis=_post(request, "legal_basis"), expected_version=version)

    return _act(request, number, "refuse", run, _("The application was not accepted; the applicant is notified."))


@requires(CASE_ACCEPT)
@require_POST
def correction(request, number: str):
    items, labels = [], []
    names = {}
    case_for_names = _access(request, number)
    for row in case_for_names.application.materials.select_related("material"):
        names[str(row.material_id)] = row.material.name
    for mid in request.POST.getlist("material"):
        items.append({"material": mid, "problem": _post(request, f"problem_material_{mid}")})
        labels.append(names.get(mid, mid))
    fields = {f.name: f for f in fields_for(case_for_names.version)}
    for name in request.POST.getlist("form_field"):
        if name in fields:
            items.append({"form_field": name, "problem": _post(request, f"problem_field_{name}")})
            labels.append(_field_label(fields[name]))

    def run(case, version):
        days, problems = _int_or_problem(request.POST.get("deadline_days", ""), "deadline_days",
                                         "补正期限须为 1 至 60 个工作日", "the correction period is 1 to 60 working days",
                                         required=False)
        if problems:
            raise DomainError(problems)
        services.correction_notice_issue(actor=request.user, case=case, items=items, expected_version=version,
                                         deadline_days=days)

    return _act(request, number, "correction", run, _("The correction notice was sent to the applicant."), labels)


@requires(CASE_VIEW)
@require_POST
def claim(request, number: str):
    """Take the current stage, or assign it to a colleague."""

    def run(case, version):
        assignee = None
        raw = _post(request, "assignee")
        if raw:
            assignee = next((u for u in _colleagues(case, request.user) if str(u.pk) == raw), None)
            if assignee is None:
                raise DomainError.single("cases.assign.scope", "只能指派给本部门的工作人员",
                                         "assign only to staff of the organ", "assignee")
        services.case_claim(actor=request.user, case=case, assignee=assignee, expected_version=version)

    return _act(request, number, "claim", run, _("The case is assigned."))


def _int_post(request, name: str) -> int:
    raw = _post(request, name)
    if not raw.isdigit():
        raise NotFound(name)
    return int(raw)


@requires(CASE_HANDLE)
@require_POST
def step(request, number: str):
    def run(case, version):
        # Steps and joint opinions run in parallel: the service refuses a step that is no longer
        # active or current, so another organ's opinion on the same case does not make this page stale.
        services.step_complete(actor=request.user, case=case, step_id=_int_post(request, "step_id"),
                               action=_post(request, "action"), opinion=_post(request, "opinion"))

    return _act(request, number, "step", run, _("The step is completed."))


@requires(CASE_HANDLE)
@require_POST
def joint(request, number: str):
    key = f"joint:{_post(request, 'step_id')}"

    def run(case, version):
        # Steps and joint opinions run in parallel: the service refuses a step that is no longer
        # active or current, so another organ's opinion on the same case does not make this page stale.
        services.step_complete(actor=request.user, case=case, step_id=_int_post(request, "step_id"),
                               action=_post(request, "action"), opinion=_post(request, "opinion"))

    return _act(request, number, key, run, _("Your organ's joint opinion is recorded."))


@requires(CASE_HANDLE)
@require_POST
def special_start(request, number: str):
    def run(case, version):
        services.special_procedure_start(actor=request.user, case=case, kind=_post(request, "kind"),
                                         reason=_post(request, "reason"), legal_basis=_post(request, "legal_basis"),
                                         expected_days=_post(request, "expected_days"), expected_version=version)

    return _act(request, number, "special_start", run,
                _("The special procedure has started; the clock is stopped and the applicant is told."))


@requires(CASE_HANDLE)
@require_POST
def special_end(request, number: str):
    def run(case, version):
        services.special_procedure_end(actor=request.user, case=case,
                                       procedure_id=_int_post(request, "procedure_id"),
                                       result=_post(request, "result"), expected_version=version)

    return _act(request, number, "special_end", run, _("The special procedure has ended; the clock runs again."))


@requires(CASE_HANDLE)
@require_POST
def licence_face(request, number: str):
    """Correct the licence details the applicant gave (printed on the licence if granted)."""
    def run(case, version):
        values = {f.name: request.POST.get(f.name, "") for f in fields_for(case.version) if f.group == "licence"}
        services.licence_face_correct(actor=request.user, case=case, values=values, reason=_post(request, "reason"),
                                      expected_version=version)

    return _act(request, number, "licence_face", run, _("The licence details were corrected."))


@requires(CASE_HANDLE)
@require_POST
def extension(request, number: str):
    def run(case, version):
        services.extension_request(actor=request.user, case=case, days=_post(request, "days"),
                                   reason=_post(request, "reason"), expected_version=version)

    return _act(request, number, "extension", run, _("The extension was requested from the approver."))


@requires(CASE_DECIDE)
@require_POST
def extension_decide(request, number: str):
    approve = request.POST.get("decision") == "approve"
    key = f"extension_decide:{_post(request, 'extension_id')}"

    def run(case, version):
        if request.POST.get("decision") not in ("approve", "refuse"):
            raise DomainError.single("cases.extension.choice", "请选择批准或不批准", "choose approve or refuse",
                                     "decision")
        services.extension_decide(actor=request.user, case=case, extension_id=_int_post(request, "extension_id"),
                                  approve=approve, note=_post(request, "note"), expected_version=version)

    return _act(request, number, key, run,
                _("The extension is approved; the due dates have moved.") if approve
                else _("The extension was refused."))


@requires(CASE_DECIDE)
@require_POST
def decide(request, number: str):
    def run(case, version):
        services.case_decide(actor=request.user, case=case, outcome=_post(request, "outcome"),
                             reasons=_post(request, "reasons"), legal_basis=_post(request, "legal_basis"),
                             expected_version=version)

    return _act(request, number, "decide", run, _("The decision is issued; deliver the result next."))


@requires(CASE_ACCEPT)
@require_POST
def deliver(request, number: str):
    def run(case, version):
        services.case_deliver(actor=request.user, case=case, method=_post(request, "method"),
                              address=_post(request, "address"), tracking_number=_post(request, "tracking_number"),
                              expected_version=version)

    return _act(request, number, "deliver", run, _("The delivery is recorded and the case is closed."))


# --- 4. stored files --------------------------------------------------------------------------------


@requires(CASE_VIEW)
@xframe_options_sameorigin
def material_file(request, number: str, file_id: int):
    """A material file of the case's application: a download, or ``?inline=1`` a sandboxed preview."""
    case = _access(request, number)
    mf = (MaterialFile.objects.select_related("stored")
          .filter(pk=file_id, application_material__application_id=case.application_id).first())
    if mf is None:
        raise Http404(str(file_id))
    return serve_stored(mf.stored, mf.filename, inline=request.GET.get("inline") == "1")


@requires(CASE_VIEW)
@xframe_options_sameorigin
def result_file(request, number: str, result_id: int):
    case = _access(request, number)
    rf = ResultFile.objects.select_related("stored").filter(pk=result_id, case=case).first()
    if rf is None:
        raise Http404(str(result_id))
    return serve_stored(rf.stored, rf.filename, inline=request.GET.get("inline") == "1")


# --- 5. the counter (window applications) -------------------------------------------------------


def _counter_items(user) -> list[tuple[str, str]]:
    """Items of the officer's organs in force today: (implementation code, name)."""
    organs = organ_ids(user, CASE_ACCEPT)
    versions = (ItemVersion.objects.filter(in_force_q(timezone.localdate()), item__organ_id__in=organs)
                .exclude(completeness=Completeness.LISTED)  # listed items take no applications
                .select_related("item").order_by("item__code", "-effective_from", "-number"))
    seen: dict[str, str] = {}
    for v in versions:
        seen.setdefault(v.item.code, v.name)
    return sorted(seen.items(), key=lambda pair: (pair[1], pair[0]))


def _counter_response(request, form, *, problems=(), status=200):
    return render(request, "cases/console/counter.html", {
        "form": form, "problems": _labelled(problems, {"item_code": _("Item")}),
        "drafts": (Application.objects.filter(taken_by=request.user, state=Application.State.DRAFT,
                                              channel=Channel.WINDOW)
                   .select_related("version").order_by("-created_at")[:20]),
    }, status=status)


@requires(CASE_ACCEPT)
@require_http_methods(["GET", "POST"])
def counter(request):
    items = _counter_items(request.user)
    if request.method == "GET":
        return _counter_response(request, CounterLookupForm(items=items))
    form = CounterLookupForm(request.POST, items=items)
    if not form.is_valid():
        return _counter_response(request, form, status=400)
    data = form.cleaned_data
    person = identity.find_person(id_type="resident_id", id_number=data["id_number"].strip().upper(),
                                  name=data["name"])
    if person is None:
        problem = _problem("cases.counter.person", "未找到与该身份证号码和姓名一致的实名登记，请核对或先为申请人办理实名登记",
                           "no registered person has this ID number and name: check them, or register the "
                           "applicant first", "id_number")
        return _counter_response(request, form, problems=[problem], status=400)
    try:
        application = services.application_start(actor=request.user, item_code=data["item_code"],
                                                 channel=Channel.WINDOW, applicant=person.user)
    except DomainError as exc:
        return _counter_response(request, form, problems=exc.problems, status=400)
    except NotFound:
        problem = _problem("cases.item.not_available", "该事项不属于本部门或未发布", "the item is not one of your "
                           "organ's published items", "item_code")
        return _counter_response(request, form, problems=[problem], status=400)
    messages.success(request, _("A window application was started for %(name)s.") % {"name": person.name})
    return redirect("workbench:counter_draft", application.public_id)


def _counter_application(request, public_id) -> Application:
    try:
        application = selectors.applicant_application(request.user, public_id)
    except NotFound as exc:
        raise Http404(str(public_id)) from exc
    if application.taken_by_id != request.user.pk:
        raise Http404(str(public_id))
    return application


def _counter_rows(application: Application) -> list[ApplicationMaterial]:
    rows = list(application.materials.select_related("material").prefetch_related("files__stored"))

    attach_provenance(rows)  # what was fetched for the citizen (shown to them at the window)
    for row in rows:
        m = row.material
        row.key = f"material:{row.material_id}"
        row.fetched = row.status == Status.TO_FETCH  # fetched ones not available now are scanned instead
        row.online_form = row.status == Status.FORM
        row.uploadable = not row.fetched and not row.online_form
        row.current_files = [f for f in row.files.all() if not f.replaced]
        row.may_follow = m.necessity == Necessity.LATER
        row.may_promise = m.necessity == Necessity.PROMISE
        row.optional = m.necessity == Necessity.OPTIONAL
    return rows


def _counter_draft_response(request, application: Application, *, problems=(), status=200):
    rows = _counter_rows(application)
    labels = {r.key: r.material.name for r in rows}
    values = application.form_data or {}
    fields = [{"name": f.name, "label": _field_label(f), "value": values.get(f.name, ""), "required": f.required,
               "multiline": f.multiline, "max_length": f.max_length,
               "type": "tel" if f.name == "contact_phone" else f.input_type}
              for f in fields_for(application.version)]
    return render(request, "cases/console/counter_draft.html", {
        "application": application, "fields": fields, "materials": rows,
        "problems": _labelled(problems, labels), "accept": ACCEPT_FILES, "today": timezone.localdate(),
    }, status=status)


def _parse_date(value: str) -> tuple[dt.date | None, bool]:
    value = (value or "").strip()
    if not value:
        return None, True
    try:
        return dt.date.fromisoformat(value), True
    except ValueError:
        return None, False


def _save_counter_draft(request, application: Application) -> list[Problem]:
    problems: list[Problem] = []
    actor = request.user
    data = {f.name: request.POST.get(f.name, "").strip() for f in fields_for(application.version)
            if f.name in request.POST}
    if data:
        try:
            services.application_update(actor=actor, application=application, form_data=data)
        except DomainError as exc:
            problems.extend(exc.problems)
    for row in application.materials.select_related("material"):
        mid, m = row.material_id, row.material
        if row.status in (Status.TO_FETCH, Status.FORM):
            continue
        mode = request.POST.get(f"mode_{mid}", "")
        try:
            if m.necessity == Necessity.LATER and mode == "later":
                follow_by, ok = _parse_date(request.POST.get(f"follow_by_{mid}", ""))
                if not ok:
                    problems.append(_problem("cases.console.date", f"“{m.name}”：补交日期格式应为 年-月-日",
                                             f"“{m.name}”: the date must be year-month-day", f"material:{mid}"))
                elif row.status != Status.LATER or row.follow_by != follow_by:
                    services.material_set(actor=actor, application=application, material_id=mid,
                                          status=Status.LATER, follow_by=follow_by)
            elif m.necessity == Necessity.PROMISE and mode == "promised":
                text = request.POST.get(f"promise_{mid}", "")[:4000]
                if row.status != Status.PROMISED or row.promise_text != text.strip():
                    services.material_set(actor=actor, application=application, material_id=mid,
                                          status=Status.PROMISED, promise_text=text)
            elif m.necessity == Necessity.OPTIONAL and mode == "not_needed" and row.status != Status.NOT_NEEDED:
                services.material_set(actor=actor, application=application, material_id=mid,
                                      status=Status.NOT_NEEDED)
        except DomainError as exc:
            problems.extend(exc.problems)
    return problems


@requires(CASE_ACCEPT)
@require_http_methods(["GET", "POST"])
def counter_draft(request, public_id):
    """Fill in the form for the citizen, set materials to follow or promised, and submit."""
    application = _counter_application(request, public_id)
    if application.state == Application.State.SUBMITTED:
        number = Case.objects.filter(application=application).values_list("number", flat=True).first()
        if number:
            return redirect("workbench:case", number)
        raise Http404(str(public_id))
    if request.method == "GET":
        return _counter_draft_response(request, application)
    problems = _save_counter_draft(request, application)
    if request.POST.get("action") == "submit" and not problems:
        try:
            case = services.application_submit(actor=request.user, application=application)
        except DomainError as exc:
            problems = exc.problems
        else:
            messages.success(request, _("The application was submitted as case %(number)s. Give the applicant "
                                        "the receipt with the query code.") % {"number": case.number})
            return redirect("workbench:case", case.number)
    application = _counter_application(request, public_id)
    if problems:
        return _counter_draft_response(request, application, problems=problems, status=400)
    messages.success(request, _("Draft saved."))
    return redirect("workbench:counter_draft", application.public_id)


@requires(CASE_ACCEPT)
@require_POST
def counter_upload(request, public_id, material_id: int):
    application = _counter_application(request, public_id)
    problems = upload_material(request, application, material_id)
    if problems:
        return _counter_draft_response(request, _counter_application(request, public_id), problems=problems,
                                       status=409 if any(p.code == "cases.material.locked" for p in problems)
                                       else 400)
    messages.success(request, _("The scan was uploaded."))
    return redirect(reverse("workbench:counter_draft", args=[application.public_id]) + f"#material-{material_id}")
