"""Applicant pages: start an application from the guide, fill in the draft and its materials, submit,
follow "my cases", answer a correction notice, withdraw, pay, download results, and the public
progress lookup by case number and query code.

Thin views: parse the request, call one service (the only way an application or a case changes) or
one selector, render. A ``DomainError`` re-renders the page with every problem at once, in Chinese
and English, next to its field and summarised at the top (HTTP 400). What belongs to someone else
answers 404, like what does not exist.

Acting for a legal person (authority.py): pages that show an application or a case answer 404 to an
agent whose mandate no longer covers it; an action by that agent answers a page saying why (the
``identity.agent.*`` problem, HTTP 400) and showing nothing of the application.
"""

from __future__ import annotations

import dataclasses

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from govhall.cases import authority, payments, selectors, services, throttle
from govhall.cases.forms_spec import fields_for
from govhall.cases.http import serve_stored, upload_material
from govhall.cases.models import (
    Application,
    ApplicationMaterial,
    Case,
    CaseState,
    CaseStep,
    CorrectionNotice,
    PaymentOrder,
)
from govhall.catalog import selectors as catalog
from govhall.catalog.codesets import Necessity
from govhall.core.errors import DomainError, NotFound, Problem
from govhall.core.permissions import AUTHENTICATED, PUBLIC, requires
from govhall.identity import selectors as identity
from govhall.login.throttle import client_address
from govhall.portal.cases_forms import ProgressForm, WithdrawForm, clean_token, parse_date
from govhall.sharing import selectors as sharing

Status = ApplicationMaterial.Status
ENDED = (CaseState.NOT_ACCEPTED, CaseState.WITHDRAWN, CaseState.CORRECTION_EXPIRED)
ACCEPT_FILES = ".pdf,.jpg,.jpeg,.png,.ofd"


# --- helpers ------------------------------------------------------------------------------------


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _field_label(f) -> str:
    return f.label_en if _english() else f.label_zh


def _get_or_404(fn, *args):
    try:
        return fn(*args)
    except NotFound as exc:
        raise Http404(str(exc)) from None


def _application(request, public_id) -> Application:
    return _get_or_404(selectors.applicant_application, request.user, public_id)


def _case(request, number: str) -> Case:
    return _get_or_404(selectors.applicant_case, request.user, number)


def _not_authorised(request, problems):
    """The answer to an action of someone whose authority to act for the legal person has ended,
    or None when ``problems`` are about something else."""
    refused = [p for p in problems if p.code.startswith("identity.agent.")]
    if not refused:
        return None
    return render(request, "cases/portal/not_authorised.html", {"problems": _summary(refused, {}, {})}, status=400)


def _acting_on(request, target):
    """``None`` when the user may act on ``target`` now, else the page saying why not (the services
    check again, at the moment of acting)."""
    try:
        authority.ensure_acting_authority(request.user, target)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:  # identity.agent.*
        return _not_authorised(request, exc.problems)
    return None


def _application_to_act_on(request, public_id) -> Application:
    return _get_or_404(selectors.application_to_act_on, request.user, public_id)


def _case_to_act_on(request, number: str) -> Case:
    return _get_or_404(selectors.case_to_act_on, request.user, number)


def _at(problem: Problem, field: str) -> Problem:
    return dataclasses.replace(problem, field=field)


def _summary(problems, labels: dict[str, str], anchors: dict[str, str]) -> list[dict]:
    """Rows of the problem summary: the label of the field at fault and a link to it."""
    return [{"problem": p, "label": labels.get(p.field, ""), "anchor": anchors.get(p.field, "")} for p in problems]


def _by_field(problems) -> dict[str, list[Problem]]:
    found: dict[str, list[Problem]] = {}
    for p in problems:
        found.setdefault(p.field, []).append(p)
    return found


def _companies(person) -> list[dict]:
    """Legal persons the person may apply for: as legal representative, or as agent in force."""
    if person is None:
        return []
    rows = {lp.pk: {"legal_person": lp, "role": _("legal representative")}
            for lp in identity.legal_persons_of(person)}
    now = timezone.now()
    for mandate in identity.mandates_of(person):
        if mandate.legal_person_id not in rows and mandate.in_force_at(now):
            rows[mandate.legal_person_id] = {"legal_person": mandate.legal_person, "role": _("agent")}
    return list(rows.values())


# --- what the applicant must do about a refusal to start ---------------------------------------


def _start_help(problems) -> list[dict]:
    """Links that fix the reasons an application cannot be started."""
    help_rows, seen = [], set()
    for p in problems:
        if p.code in ("cases.applicant.trust_level", "cases.applicant.no_identity"):
            key = "account"
            text = _("Verify your real name on your account page (the population register check raises you to "
                     "level 3), then come back to this guide.")
            url = reverse("identity:account")
        elif p.code.startswith("identity.agent."):
            key = "agents"
            text = _("Ask the organisation's legal representative to authorise you for this item on the "
                     "Agents page, or apply for yourself.")
            url = reverse("identity:agents")
        elif p.code.startswith("cases.item."):
            key = "search"
            text = _("This item cannot be applied for now. Look for the service in force today.")
            url = reverse("portal:search")
        else:
            continue
        if key not in seen:
            seen.add(key)
            help_rows.append({"text": text, "url": url})
    return help_rows


# --- 1. start ------------------------------------------------------------------------------------


@requires(AUTHENTICATED)
@require_http_methods(["GET", "POST"])
def apply_start(request, item_code: str):
    """POST from the guide's "Apply online" button (its hidden token makes a double click one draft);
    GET (e.g. back from the login page) shows the same choice with a fresh token."""
    person = identity.person_of(request.user)
    companies = _companies(person)
    token = clean_token(request.POST.get("token")) if request.method == "POST" else ""
    if request.method == "GET" or (companies and "applicant" not in request.POST):
        version = _get_or_404(catalog.published_version, item_code)
        return render(request, "cases/portal/start.html", {
            "version": version, "item_code": item_code, "companies": companies, "person": person,
            "token": token or request.request_id})
    legal_person, problems = None, []
    choice = request.POST.get("applicant", "self")
    if choice != "self":
        chosen = {str(row["legal_person"].pk): row["legal_person"] for row in companies}.get(choice)
        if chosen is None:
            problems.append(Problem("cases.portal.legal_person", "您不能代表该单位申请",
                                    "you may not apply for that organisation", "applicant"))
        legal_person = chosen
    if not problems:
        try:
            application = services.application_start(
                actor=request.user, item_code=item_code, legal_person=legal_person,
                idempotency_key=f"web:{token}" if token else "")
        except DomainError as exc:
            problems = exc.problems
        else:
            return redirect("cases:draft", application.public_id)
    return render(request, "cases/portal/start_refused.html", {
        "item_code": item_code, "problems": _summary(problems, {}, {}), "help": _start_help(problems)},
        status=400)


# --- 2. the draft ----------------------------------------------------------------------------------


def _material_rows(application: Application, errors: dict[str, list[Problem]]) -> list[ApplicationMaterial]:
    rows = list(application.materials.select_related("material").prefetch_related("files__stored"))
    sharing.attach_provenance(rows)  # once-only: what was fetched, from where, or why it was not
    for row in rows:
        m = row.material
        row.key = f"material:{row.material_id}"
        row.anchor = f"material-{row.material_id}"
        row.errors = errors.get(row.key, [])
        row.fetched = row.status == Status.TO_FETCH
        row.online_form = row.status == Status.FORM
        row.uploadable = not row.fetched and not row.online_form
        row.current_files = [f for f in row.files.all() if not f.replaced]
        row.may_follow = m.necessity == Necessity.LATER
        row.may_promise = m.necessity == Necessity.PROMISE
        row.optional = m.necessity == Necessity.OPTIONAL
    return rows


def _form_rows(fields, values: dict, errors: dict[str, list[Problem]], only: set[str] | None = None) -> list[dict]:
    return [{"name": f.name, "label": _field_label(f), "value": values.get(f.name, ""), "required": f.required,
             "multiline": f.multiline, "max_length": f.max_length, "errors": errors.get(f.name, []),
             "group": f.group, "type": "tel" if f.name == "contact_phone" else f.input_type}
            for f in fields if only is None or f.name in only]


def _labels_for(application: Application, rows) -> tuple[dict, dict]:
    fields = fields_for(application.version)
    labels = {f.name: _field_label(f) for f in fields}
    anchors = {f.name: f"field-{f.name}" for f in fields}
    for row in rows:
        labels[row.key], anchors[row.key] = row.material.name, row.anchor
    labels.update({"item": _("Item"), "applicant": _("Applicant")})
    return labels, anchors


def _draft_response(request, application: Application, *, problems=(), status: int = 200):
    problems = list(problems)
    errors = _by_field(problems)
    rows = _material_rows(application, errors)
    labels, anchors = _labels_for(application, rows)
    known = set(anchors) | {"item", "applicant"}
    form_rows = _form_rows(fields_for(application.version), application.form_data, errors)
    return render(request, "cases/portal/draft.html", {
        "application": application, "version": application.version, "fields": form_rows,
        "has_licence_fields": any(f["group"] == "licence" for f in form_rows),
        "materials": rows, "problems": _summary(problems, labels, anchors),
        "other_problems": [p for p in problems if p.field not in known], "accept": ACCEPT_FILES,
        "today": timezone.localdate(),
    }, status=status)


def _save_draft(request, application: Application) -> list[Problem]:
    """Save the typed form and the material choices (later / promise / not provided)."""
    problems: list[Problem] = []
    data = {f.name: request.POST.get(f.name, "").strip() for f in fields_for(application.version)
            if f.name in request.POST}
    actor = request.user
    try:
        if data:
            services.application_update(actor=actor, application=application, form_data=data)
        for row in application.materials.select_related("material"):
            mid, m = row.material_id, row.material
            if row.status in (Status.TO_FETCH, Status.FORM):
                continue
            mode = request.POST.get(f"mode_{mid}", "")
            if m.necessity == Necessity.LATER and mode == "later":
                follow_by, ok = parse_date(request.POST.get(f"follow_by_{mid}"))
                if not ok:
                    problems.append(Problem("cases.portal.date", f"“{m.name}”：补交日期格式应为 年-月-日",
                                            f"“{m.name}”: the date must be year-month-day", f"material:{mid}"))
                elif row.status != Status.LATER or row.follow_by != follow_by:
                    services.material_set(actor=actor, application=application, material_id=mid,
                                          status=Status.LATER, follow_by=follow_by)
            elif m.necessity == Necessity.PROMISE and mode == "promised":
                text = request.POST.get(f"promise_{mid}", "")[:4000]
                if row.status != Status.PROMISED or row.promise_text != text.strip():
                    services.material_set(actor=actor, application=application, material_id=mid,
                                          status=Status.PROMISED, promise_text=text)
            elif (m.necessity == Necessity.OPTIONAL and request.POST.get(f"not_needed_{mid}")
                  and row.status != Status.NOT_NEEDED):
                services.material_set(actor=actor, application=application, material_id=mid,
                                      status=Status.NOT_NEEDED)
    except DomainError as exc:
        problems.extend(exc.problems)
    return problems


@requires(AUTHENTICATED)
@require_http_methods(["GET", "POST"])
def draft(request, public_id):
    if request.method == "GET":
        application = _application(request, public_id)
    else:
        application = _application_to_act_on(request, public_id)
        if (refused := _acting_on(request, application)) is not None:
            return refused
    if application.state == Application.State.SUBMITTED:
        case = Case.objects.filter(application=application).first()
        if case is not None and authority.may_read(request.user, case):
            return redirect("cases:case", case.number)
        raise Http404(str(public_id))
    if request.method == "GET":
        return _draft_response(request, application)
    problems = _save_draft(request, application)
    if request.POST.get("action") == "submit" and not problems:
        try:
            case = services.application_submit(actor=request.user, application=application)
        except DomainError as exc:
            problems = exc.problems
        else:
            messages.success(request, _("Your application was submitted. Keep the case number and the query "
                                        "code below."))
            return redirect(reverse("cases:case", args=[case.number]) + "#receipt")
    if (refused := _not_authorised(request, problems)) is not None:
        return refused
    application.refresh_from_db()
    if problems:
        return _draft_response(request, application, problems=problems, status=400)
    messages.success(request, _("Draft saved."))
    return redirect("cases:draft", application.public_id)


@requires(AUTHENTICATED)
@require_POST
def material_upload(request, public_id, material_id: int):
    """Upload a file for one material: on a draft, or during a correction for the listed materials."""
    application = _application_to_act_on(request, public_id)
    if (refused := _acting_on(request, application)) is not None:
        return refused
    problems = upload_material(request, application, material_id)
    if (refused := _not_authorised(request, problems)) is not None:
        return refused
    case = Case.objects.filter(application=application).first()
    if case is not None:
        if problems:
            return _case_response(request, _case(request, case.number), problems=problems, status=400)
        messages.success(request, _("The file was uploaded."))
        return redirect(reverse("cases:case", args=[case.number]) + "#correction")
    if problems:
        return _draft_response(request, application, problems=problems, status=400)
    messages.success(request, _("The file was uploaded."))
    return redirect(reverse("cases:draft", args=[application.public_id]) + f"#material-{material_id}")


# --- 3. my cases ------------------------------------------------------------------------------------


def _progress_steps(case: Case) -> list[dict]:
    """received → accepted → the handling steps → decided → delivered, each done, current, todo or
    ended (the case ended before reaching it)."""
    state = case.state
    ended = state in ENDED
    accepted = case.accepted_on is not None
    decided = state in (CaseState.DECIDED, CaseState.CLOSED)
    steps = [s for s in case.steps.all() if s.kind != CaseStep.Kind.JOINT]
    items = [{"label": _("Received"), "state": "done"},
             {"label": _("Correction requested") if state == CaseState.CORRECTION else _("Accepted"),
              "state": "done" if accepted else ("ended" if ended else "current")}]
    step_states = {CaseStep.State.DONE: "done", CaseStep.State.ACTIVE: "current", CaseStep.State.WAITING: "todo",
                   CaseStep.State.CANCELLED: "ended"}
    for s in steps:
        items.append({"label": s.name, "state": "done" if decided else step_states.get(s.state, "todo")})
    handling_open = state == CaseState.IN_PROGRESS and not any(i["state"] == "current" for i in items)
    items.append({"label": _("Decided"),
                  "state": "done" if decided else ("current" if handling_open else "todo")})
    items.append({"label": _("Result delivered"),
                  "state": "done" if state == CaseState.CLOSED else ("current" if state == CaseState.DECIDED
                                                                    else "todo")})
    if ended:
        for i in items:
            if i["state"] in ("todo", "current"):
                i["state"] = "ended"
    labels = {"done": _("done"), "current": _("current step"), "todo": _("not started"), "ended": _("not reached")}
    for i in items:
        i["state_label"] = labels[i["state"]]
    return items


def _decorate(case: Case) -> Case:
    case.progress_steps = _progress_steps(case)
    case.progress_done = sum(1 for i in case.progress_steps if i["state"] == "done")
    case.clock_info = selectors.clock_info(case)
    current = next((i for i in case.progress_steps if i["state"] == "current"), None)
    case.current_label = current["label"] if current else case.get_state_display()
    return case


@requires(AUTHENTICATED)
def my_cases(request):
    cases = [_decorate(c) for c in selectors.my_cases(request.user).prefetch_related("steps",
                                                                                     "special_procedures")]
    return render(request, "cases/portal/my_cases.html", {
        "cases": cases, "drafts": list(selectors.my_drafts(request.user).select_related("legal_person"))})


# --- 4. the case -----------------------------------------------------------------------------------


def _correction(case: Case, errors: dict[str, list[Problem]], values: dict | None = None) -> dict | None:
    notice = CorrectionNotice.objects.filter(case=case).first()
    if notice is None:
        return None
    open_ = case.state == CaseState.CORRECTION and notice.state == CorrectionNotice.State.OPEN
    application = case.application
    labels = {f.name: f for f in fields_for(application.version)}
    items = []
    for item in notice.items.select_related("application_material__material").prefetch_related(
            "application_material__files__stored"):
        row = item.application_material
        entry = {"item": item, "problem": item.problem}
        if row is not None:
            entry.update({"kind": "material", "name": row.material.name, "material_id": row.material_id,
                          "anchor": f"material-{row.material_id}",
                          "errors": errors.get(f"material:{row.material_id}", []),
                          "files": [f for f in row.files.all() if f.correction_round == 1 and not f.replaced]})
        else:
            spec = labels.get(item.form_field)
            value = (values or {}).get(item.form_field, application.form_data.get(item.form_field, ""))
            entry.update({"kind": "field", "name": item.form_field, "anchor": f"field-{item.form_field}",
                          "label": _field_label(spec) if spec else item.form_field,
                          "multiline": bool(spec and spec.multiline), "value": value,
                          "errors": errors.get(item.form_field, [])})
        items.append(entry)
    return {"notice": notice, "open": open_, "items": items}


def _case_response(request, case: Case, *, problems=(), status: int = 200, withdraw_form=None,
                   correction_values: dict | None = None):
    problems = list(problems)
    errors = _by_field(problems)
    _decorate(case)
    correction = _correction(case, errors, correction_values)
    fields = fields_for(case.version)
    labels = {f.name: _field_label(f) for f in fields}
    anchors = {f.name: f"field-{f.name}" for f in fields}
    if correction:
        for entry in correction["items"]:
            key = f"material:{entry['material_id']}" if entry["kind"] == "material" else entry["name"]
            labels[key], anchors[key] = entry.get("label", entry["name"]), entry["anchor"]
    labels.update({"confirm": _("Confirmation"), "reason": _("Reason")})
    anchors.update({"confirm": "withdraw", "reason": "withdraw"})
    english = _english()
    events = [{"at": e.at, "kind": e.kind, "summary": e.summary_en if english else e.summary_zh}
              for e in selectors.timeline(case, public_only=True)]
    payment = PaymentOrder.objects.filter(case=case).first()
    if payment is not None:
        payment.yuan = payments.format_fen(payment.amount_fen)
    decision = getattr(case, "decision", None) if case.state in (CaseState.DECIDED, CaseState.CLOSED) else None
    return render(request, "cases/portal/case.html", {
        "case": case, "application": case.application, "events": events, "correction": correction,
        "problems": _summary(problems, labels, anchors), "payment": payment, "decision": decision,
        "results": list(case.results.select_related("stored")), "accept": ACCEPT_FILES,
        "can_withdraw": case.state in services.HANDLING_STATES, "withdraw_form": withdraw_form or WithdrawForm(),
    }, status=status)


@requires(AUTHENTICATED)
def case_detail(request, number: str):
    return _case_response(request, _case(request, number))


@requires(AUTHENTICATED)
@require_POST
def correction_submit(request, number: str):
    case = _case_to_act_on(request, number)
    if (refused := _acting_on(request, case)) is not None:
        return refused
    notice = CorrectionNotice.objects.filter(case=case).first()
    listed = set(notice.items.exclude(form_field="").values_list("form_field", flat=True)) if notice else set()
    form_data = {name: request.POST.get(name, "").strip() for name in listed if name in request.POST}
    try:
        services.correction_submit(actor=request.user, case=case, form_data=form_data)
    except DomainError as exc:
        if (refused := _not_authorised(request, exc.problems)) is not None:
            return refused
        return _case_response(request, _case(request, number), problems=exc.problems, status=400,
                              correction_values=form_data)
    messages.success(request, _("Your corrections were submitted. The organ will decide on acceptance within "
                                "5 working days."))
    return redirect("cases:case", number)


@requires(AUTHENTICATED)
@require_POST
def case_withdraw(request, number: str):
    case = _case_to_act_on(request, number)
    if (refused := _acting_on(request, case)) is not None:
        return refused
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        problems = [Problem("cases.portal.confirm", "请勾选确认后再撤回", "tick the box to confirm the withdrawal",
                            "confirm")]
        return _case_response(request, case, problems=problems, status=400, withdraw_form=form)
    try:
        services.case_withdraw(actor=request.user, case=case, reason=form.cleaned_data["reason"].strip())
    except DomainError as exc:
        if (refused := _not_authorised(request, exc.problems)) is not None:
            return refused
        return _case_response(request, _case(request, number), problems=exc.problems, status=400,
                              withdraw_form=form)
    messages.success(request, _("You withdrew the application. The case has ended."))
    return redirect("cases:case", number)


@requires(AUTHENTICATED)
@require_POST
def payment_start(request, number: str):
    case = _case_to_act_on(request, number)
    try:
        url = services.payment_start(actor=request.user, case=case)
    except NotFound:
        raise Http404(number) from None
    except DomainError as exc:
        return _not_authorised(request, exc.problems) or _case_response(request, case, problems=exc.problems,
                                                                         status=400)
    return redirect(url)


@requires(AUTHENTICATED)
def result_download(request, number: str, result_id: int):
    case = _case(request, number)
    result = case.results.select_related("stored").filter(pk=result_id).first()
    if result is None:
        raise Http404(str(result_id))
    return serve_stored(result.stored, result.filename)


# --- 5. payment simulator ----------------------------------------------------------------------------


@requires(AUTHENTICATED)
@require_http_methods(["GET", "POST"])
def payment_simulator(request, order_number: str):
    """The local payment simulator: it exists only when it is the configured provider and demo mode
    (``GOVHALL_DEMO``) is on; otherwise 404. Never real money."""
    if not (settings.GOVHALL_DEMO and isinstance(payments.provider(), payments.SimulatorProvider)):
        raise Http404(order_number)
    order = PaymentOrder.objects.select_related("case").filter(order_number=order_number).first()
    if order is None or not authority.may_read(request.user, order.case):
        raise Http404(order_number)
    problems: list[Problem] = []
    if request.method == "POST" and order.state == PaymentOrder.State.PENDING:
        data = payments.SimulatorProvider().sign_callback(order.order_number)
        try:
            services.payment_confirm(data=data)
        except payments.PaymentNotConfirmed:
            problems.append(Problem("cases.payment.not_confirmed", "支付未能确认", "the payment was not confirmed"))
        except DomainError as exc:
            problems = exc.problems
        else:
            messages.success(request, _("Payment received (simulated)."))
            return redirect("cases:case", order.case.number)
    lines = [{**line, "yuan": payments.format_fen(line["amount_fen"]) if line.get("amount_fen") is not None
              else None} for line in order.lines]
    return render(request, "cases/portal/simulator.html", {
        "order": order, "case": order.case, "yuan": payments.format_fen(order.amount_fen), "lines": lines,
        "problems": _summary(problems, {}, {})}, status=400 if problems else 200)


# --- 6. public progress --------------------------------------------------------------------------------


EVENT_LABELS = {
    "received": ("申请已收到", "application received"),
    "accepted": ("已受理", "accepted"),
    "deemed_accepted": ("视为受理", "deemed accepted"),
    "correction_notice": ("一次性补正告知", "correction notice"),
    "corrected": ("已补正", "corrections received"),
    "special_started": ("进入特别程序（时限暂停）", "special procedure started (clock stopped)"),
    "special_ended": ("特别程序结束", "special procedure ended"),
    "extension_approved": ("办理期限延长", "time limit extended"),
    "decided": ("已作出决定", "decision made"),
    "delivered": ("结果已送达，办结", "result delivered; closed"),
    "withdrawn": ("申请人撤回", "withdrawn by the applicant"),
    "not_accepted": ("不予受理", "not accepted"),
    "correction_expired": ("补正逾期，办件终止", "ended: correction not made in time"),
}


@requires(PUBLIC)
@require_http_methods(["GET", "POST"])
def progress(request):
    """Progress by case number and query code: no personal data. A wrong number and a wrong code look
    the same; after too many failures from one address the lookup pauses."""
    form = ProgressForm(request.POST or None)
    context: dict = {"form": form, "result": None, "not_found": False, "throttled": False}
    status = 200
    if request.method == "POST":
        address = client_address(request)
        if throttle.blocked(address):
            context["throttled"], status = True, 429
            context["minutes"] = max(1, throttle.window_seconds() // 60)
        elif not form.is_valid():
            status = 400
        else:
            try:
                result = selectors.public_progress(form.cleaned_data["number"], form.cleaned_data["query_code"])
            except NotFound:
                throttle.record_failure(address)
                context["not_found"], status = True, 404
            else:
                english = _english()
                step_labels = dict(CaseStep.State.choices)
                context["result"] = result
                context["steps"] = [{"name": n, "state": s, "label": step_labels.get(s, s)} for n, s in result.steps]
                context["events"] = [{"at": at, "kind": kind,
                                      "label": EVENT_LABELS.get(kind, (kind, kind))[1 if english else 0]}
                                     for at, kind, _unused in result.events]
    return render(request, "cases/portal/progress.html", context, status=status)
