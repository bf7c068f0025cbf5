"""Applications and cases over the API (issue §6): one call per action.

Every endpoint parses the request, looks the object up through ``govhall.cases.selectors``
(NotFound → 404; what the caller may not see looks exactly like what does not exist), calls one
service of ``govhall.cases.services`` and maps the result. No business rule lives here.

Authentication is the platform session (cookie) checked by ninja's ``SessionAuth``, which also
enforces Django's CSRF check on POST and PATCH; ``@permission`` answers 401/403 before that.

Status codes on top of ``errors.py``: a ``Conflict`` (stale ``expected_version``, a state that no
longer allows the action, a reused idempotency key) answers 409, and a DomainError whose only
problem is ``cases.forbidden`` (the user sees the case but lacks the permission in the organ that
counts) answers 403. Every other DomainError stays 400 with all its problems.
"""

from __future__ import annotations

import datetime as dt
import uuid
from functools import wraps
from typing import Any, Literal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q
from django.http import HttpResponse
from django.urls import reverse
from ninja import File, Header, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import django_auth
from pydantic import Field

from govhall.cases import selectors, services
from govhall.cases.authority import ensure_acting_authority
from govhall.cases.models import Application, Case, Extension
from govhall.cases.permissions import CASE_ACCEPT, CASE_DECIDE, CASE_HANDLE
from govhall.catalog.codesets import FETCHED_SOURCES
from govhall.core.errors import Conflict, DomainError, NotFound
from govhall.core.permissions import AUTHENTICATED
from govhall.identity.models import LegalPerson
from govhall.identity.selectors import person_of

from .errors import error_body
from .permissions import permission
from .schemas import ErrorOut

router = Router(tags=["cases"], auth=django_auth)

CASE_URL_NAME = "api:v1:case_detail"
IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX = 100  # Application.idempotency_key
FORBIDDEN = "cases.forbidden"

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# --- schemas: requests -----------------------------------------------------------------------------

class VersionedIn(Schema):
    expected_version: int | None = Field(
        None, description="办件的 row_version（乐观并发）；与当前值不同则 409 / the case's row_version as you "
                          "last read it: a different current value answers 409")


class ApplicationStartIn(Schema):
    item_code: str = Field(max_length=31, description="实施编码 / implementation code of the item")
    legal_person_credit_code: str | None = Field(
        None, max_length=18, description="代法人申请时：法人统一社会信用代码 / applying for a legal person: its "
                                         "credit code (you must be its legal representative or agent)")
    form_data: dict[str, str] = Field(default_factory=dict, description="表单内容 / form fields")


class ApplicationUpdateIn(Schema):
    form_data: dict[str, str] = Field(description="要保存的表单项（与已有内容合并）/ fields to save (merged)")


class MaterialStatusIn(Schema):
    status: Literal["later", "promised", "not_needed"] = Field(
        description="later: 容缺后补; promised: 告知承诺; not_needed: 非必要材料不提交")
    follow_by: dt.date | None = Field(None, description="later: 补交日期 / the date it will follow")
    promise_text: str = Field("", max_length=2000, description="promised: 承诺内容 / the promise you sign")


class AcceptIn(VersionedIn):
    outcome: str = Field("", description="即办件：grant|deny / immediate items only")
    reasons: str = Field("", max_length=5000)
    legal_basis: str = Field("", max_length=5000)


class RefuseIn(VersionedIn):
    reason: str = Field(max_length=5000)
    legal_basis: str = Field(max_length=5000)


class CorrectionItemIn(Schema):
    material: int | None = Field(None, description="材料 id（material_id）/ the material's id")
    form_field: str = Field("", max_length=100, description="表单项 / form field name")
    problem: str = Field(max_length=2000, description="缺少或有误的内容 / what is missing or wrong")


class CorrectionNoticeIn(VersionedIn):
    items: list[CorrectionItemIn] = Field(description="一次性告知的全部内容 / every item, at once")
    deadline_days: int | None = Field(None, ge=1, le=60, description="补正期限（工作日）/ working days to correct")


class StepCompleteIn(VersionedIn):
    action: Literal["pass", "return", "object"]
    opinion: str = Field(max_length=5000)


class SpecialProcedureIn(VersionedIn):
    kind: str = Field(description="特别程序种类 / kind (hearing, inspection, testing, quarantine, appraisal, "
                                  "expert_review, site_check)")
    reason: str = Field(max_length=5000)
    legal_basis: str = Field("", max_length=5000)
    expected_days: int = Field(description="预计所需工作日 / expected working days")


class SpecialProcedureEndIn(VersionedIn):
    result: str = Field(max_length=5000)


class ExtensionIn(VersionedIn):
    days: int = Field(description="延长的工作日 / working days")
    reason: str = Field(max_length=5000)


class ExtensionDecideIn(VersionedIn):
    approve: bool
    note: str = Field("", max_length=2000)


class DecisionIn(VersionedIn):
    outcome: str = Field(description="grant | deny")
    reasons: str = Field(max_length=10000)
    legal_basis: str = Field(max_length=5000)


class DeliveryIn(VersionedIn):
    method: str = Field(description="download | post | window")
    address: str = Field("", max_length=500)
    tracking_number: str = Field("", max_length=60)


class CorrectionIn(Schema):
    form_data: dict[str, str] = Field(default_factory=dict,
                                      description="补正告知书列出的表单项 / the form fields the notice lists")


class WithdrawIn(Schema):
    reason: str = Field("", max_length=2000)


# --- schemas: responses ----------------------------------------------------------------------------

class CaseOrganOut(Schema):
    credit_code: str
    name: str


class CaseItemOut(Schema):
    code: str = Field(description="实施编码 / implementation code")
    name: str
    version: int


class MaterialFileOut(Schema):
    filename: str
    size: int
    content_type: str
    sha256: str
    uploaded_at: dt.datetime
    correction_round: int


class ApplicationMaterialOut(Schema):
    material_id: int
    name: str
    necessity: str
    source: str
    status: str
    fetched: bool = Field(description="部门通过共享获取，无需提交 / the organ fetches it; nothing to upload")
    follow_by: dt.date | None
    promise_text: str
    files: list[MaterialFileOut]


class ApplicationOut(Schema):
    public_id: uuid.UUID
    state: str
    item: CaseItemOut
    organ: CaseOrganOut
    applicant_name: str
    applicant_id_masked: str
    legal_person_credit_code: str | None
    channel: str
    form_data: dict[str, Any]
    materials: list[ApplicationMaterialOut]
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    case_number: str | None = Field(description="提交后的办件编号 / the case once submitted")


class SubmittedCaseOut(Schema):
    number: str
    query_code: str = Field(description="查询码（回执）/ query code printed on the receipt")
    state: str
    acceptance_due: dt.date | None = Field(description="受理或补正告知的最迟日期 / acceptance or correction "
                                                       "notice due (null: next year's calendar not yet entered)")
    url: str


class ClockOut(Schema):
    start: dt.date
    promised_due: dt.date | None
    legal_due: dt.date | None
    paused_days: int
    running: bool
    projected: bool = Field(description="进行中的特别程序按预计天数推算 / an open special procedure is "
                                        "projected to its expected end")
    unknown_year: int | None = Field(description="到期日落在尚未录入官方日历的年份 / a due date falls in a "
                                                 "year whose official calendar is not entered")


class CaseStepOut(Schema):
    id: int
    order: int
    kind: str
    name: str
    organ: CaseOrganOut
    state: str
    action: str | None = Field(description="staff only")
    opinion: str | None = Field(description="staff only")
    assignee: str | None = Field(description="staff only")
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class CorrectionItemOut(Schema):
    id: int
    material_id: int | None
    material_name: str
    form_field: str
    problem: str
    answered: bool


class CorrectionNoticeOut(Schema):
    notice_number: str
    issued_at: dt.datetime
    deadline: dt.date
    state: str
    answered_at: dt.datetime | None
    items: list[CorrectionItemOut]


class SpecialProcedureCaseOut(Schema):
    id: int
    kind: str
    kind_label: str
    reason: str
    legal_basis: str
    expected_days: int
    started_on: dt.date
    ended_on: dt.date | None
    result: str


class ExtensionOut(Schema):
    id: int
    days: int
    reason: str
    state: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None


class DecisionOut(Schema):
    outcome: str
    reasons: str
    legal_basis: str
    decided_at: dt.datetime
    document_number: str


class DeliveryOut(Schema):
    method: str
    address: str
    tracking_number: str
    delivered_at: dt.datetime


class TimelineEventOut(Schema):
    at: dt.datetime
    kind: str
    organ: str
    summary_zh: str
    summary_en: str
    actor: str | None = Field(description="staff only")
    public: bool
    detail: dict[str, Any] | None = Field(description="staff only")


class CaseApplicantOut(Schema):
    name: str
    id_number_masked: str


class CaseOut(Schema):
    number: str
    view: Literal["applicant", "staff"] = Field(description="applicant: your own case, public timeline; staff: "
                                                            "full timeline")
    item: CaseItemOut
    organ: CaseOrganOut
    applicant: CaseApplicantOut
    state: str
    state_label: str
    stage: str
    stage_label: str
    is_joint: bool
    is_immediate: bool
    received_at: dt.datetime
    acceptance_due: dt.date | None
    accepted_on: dt.date | None
    acceptance_deemed: bool
    acceptance_notice_number: str
    correction_due: dt.date | None
    closed_at: dt.datetime | None
    result_code: str
    payment_required: bool
    paid: bool
    query_code: str | None = Field(description="applicant only")
    clock: ClockOut | None = Field(description="受理前为 null / null before acceptance")
    steps: list[CaseStepOut]
    correction_notice: CorrectionNoticeOut | None
    special_procedures: list[SpecialProcedureCaseOut]
    extensions: list[ExtensionOut] = Field(description="申请人只看到已批准的延期 / applicants see approved ones")
    decision: DecisionOut | None
    delivery: DeliveryOut | None
    timeline: list[TimelineEventOut]
    row_version: int = Field(description="每次变更加一；写操作可带 expected_version / raised by every change; "
                                         "send it back as expected_version")


# --- errors ---------------------------------------------------------------------------------------

def _status_of(exc: DomainError) -> int:
    if isinstance(exc, Conflict):
        return 409
    if exc.problems and all(p.code == FORBIDDEN for p in exc.problems):
        return 403
    return 400


def _mapped(func):
    """409 for conflicts and 403 for ``cases.forbidden``; other DomainErrors go on to the 400 handler."""

    @wraps(func)
    def run(request, *args, **kwargs):
        try:
            return func(request, *args, **kwargs)
        except DomainError as exc:
            status = _status_of(exc)
            if status == 400:
                raise
            first = exc.problems[0]
            return Status(status, error_body(first.code, first.message_zh, first.message_en, first.field,
                                             [p.as_dict() for p in exc.problems]))

    return run


def _bad_request(code: str, zh: str, en: str, field: str) -> DomainError:
    return DomainError.single(code, zh, en, field)


# --- mapping --------------------------------------------------------------------------------------

def _organ(organ) -> dict:
    return {"credit_code": organ.credit_code, "name": organ.name}


def _application_out(application: Application) -> dict:
    rows = application.materials.select_related("material").prefetch_related("files__stored")
    materials = []
    for row in rows:
        m = row.material
        materials.append({
            "material_id": m.pk, "name": m.name, "necessity": m.necessity, "source": m.source,
            "status": row.status, "fetched": m.source in FETCHED_SOURCES, "follow_by": row.follow_by,
            "promise_text": row.promise_text,
            "files": [{"filename": f.filename, "size": f.stored.size, "content_type": f.stored.content_type,
                       "sha256": f.stored.sha256, "uploaded_at": f.uploaded_at,
                       "correction_round": f.correction_round}
                      for f in row.files.all() if not f.replaced],
        })
    case = Case.objects.filter(application=application).only("number").first()
    return {
        "public_id": application.public_id, "state": application.state,
        "item": {"code": application.item.code, "name": application.version.name,
                 "version": application.version.number},
        "organ": _organ(application.item.organ),
        "applicant_name": application.applicant_name, "applicant_id_masked": application.applicant_id_masked,
        "legal_person_credit_code": application.legal_person.credit_code if application.legal_person_id else None,
        "channel": application.channel, "form_data": application.form_data, "materials": materials,
        "created_at": application.created_at, "submitted_at": application.submitted_at,
        "case_number": case.number if case else None,
    }


def _one(case: Case, name: str):
    """A reverse one-to-one (correction_notice, decision, delivery), or None."""
    try:
        return getattr(case, name)
    except ObjectDoesNotExist:
        return None


def _case_out(case: Case, *, staff: bool) -> dict:
    current = services.clock_of(case)
    notice = _one(case, "correction_notice")
    decision = _one(case, "decision")
    delivery = _one(case, "delivery")
    application = case.application
    steps = [
        {"id": s.pk, "order": s.order, "kind": s.kind, "name": s.name, "organ": _organ(s.organ), "state": s.state,
         "action": s.action if staff else None, "opinion": s.opinion if staff else None,
         "assignee": (s.assignee.get_username() if s.assignee_id else None) if staff else None,
         "started_at": s.started_at, "finished_at": s.finished_at}
        for s in case.steps.all()
    ]
    extensions = [e for e in case.extensions.all() if staff or e.state == Extension.State.APPROVED]
    events = selectors.timeline(case, public_only=not staff)
    return {
        "number": case.number, "view": "staff" if staff else "applicant",
        "item": {"code": case.item.code, "name": case.item_name, "version": case.version.number},
        "organ": _organ(case.organ),
        "applicant": {"name": case.applicant_name, "id_number_masked": application.applicant_id_masked},
        "state": case.state, "state_label": str(case.get_state_display()),
        "stage": case.stage, "stage_label": str(case.get_stage_display()),
        "is_joint": case.is_joint, "is_immediate": case.is_immediate,
        "received_at": case.received_at, "acceptance_due": case.acceptance_due, "accepted_on": case.accepted_on,
        "acceptance_deemed": case.acceptance_deemed, "acceptance_notice_number": case.acceptance_notice_number,
        "correction_due": case.correction_due, "closed_at": case.closed_at, "result_code": case.result_code,
        "payment_required": case.payment_required, "paid": case.paid,
        "query_code": None if staff else case.query_code,
        "clock": None if current is None else {
            "start": current.start, "promised_due": current.promised_due, "legal_due": current.legal_due,
            "paused_days": current.paused_days, "running": current.running, "projected": current.projected,
            "unknown_year": current.unknown_year},
        "steps": steps,
        "correction_notice": None if notice is None else {
            "notice_number": notice.notice_number, "issued_at": notice.issued_at, "deadline": notice.deadline,
            "state": notice.state, "answered_at": notice.answered_at,
            "items": [{"id": i.pk, "material_id": i.application_material.material_id if i.application_material_id
                       else None,
                       "material_name": i.application_material.material.name if i.application_material_id else "",
                       "form_field": i.form_field, "problem": i.problem, "answered": i.answered}
                      for i in notice.items.select_related("application_material__material")]},
        "special_procedures": [
            {"id": p.pk, "kind": p.kind, "kind_label": str(p.get_kind_display()), "reason": p.reason,
             "legal_basis": p.legal_basis, "expected_days": p.expected_days, "started_on": p.started_on,
             "ended_on": p.ended_on, "result": p.result}
            for p in case.special_procedures.all()],
        "extensions": [{"id": e.pk, "days": e.days, "reason": e.reason, "state": e.state,
                        "requested_at": e.requested_at, "decided_at": e.decided_at} for e in extensions],
        "decision": None if decision is None else {
            "outcome": decision.outcome, "reasons": decision.reasons, "legal_basis": decision.legal_basis,
            "decided_at": decision.decided_at, "document_number": decision.document_number},
        "delivery": None if delivery is None else {
            "method": delivery.method, "address": delivery.address, "tracking_number": delivery.tracking_number,
            "delivered_at": delivery.delivered_at},
        "timeline": [{"at": e.at, "kind": e.kind, "organ": e.organ.name if e.organ_id else "",
                      "summary_zh": e.summary_zh, "summary_en": e.summary_en, "public": e.public,
                      "actor": e.actor_label if staff else None, "detail": e.detail if staff else None}
                     for e in events],
        "row_version": case.row_version,
    }


def _staff_case(request, number: str) -> dict:
    return _case_out(selectors.access_case(request.user, number), staff=True)


def _applicant_case(request, number: str) -> dict:
    return _case_out(selectors.applicant_case(request.user, number), staff=False)


# --- applications ---------------------------------------------------------------------------------

def _legal_person_for(user, credit_code: str) -> LegalPerson:
    """The legal person the user represents or holds a mandate of (the service checks that the
    mandate is in force and covers the item); NotFound otherwise."""
    person = person_of(user)
    legal_person = (LegalPerson.objects.filter(Q(legal_representative=person) | Q(mandates__agent=person),
                                               credit_code=credit_code.strip()).distinct().first()
                    if person else None)
    if legal_person is None:
        raise NotFound(credit_code)
    return legal_person


def _application_by_key(user, key: str) -> Application | None:
    return (Application.objects.select_related("item", "legal_person")
            .filter(applicant=user, idempotency_key=key).first())


@router.post("/applications", response={201: ApplicationOut, **ERRORS}, url_name="applications",
             summary="发起申请 / start an application")
@permission(AUTHENTICATED)
@_mapped
def application_start(request, response: HttpResponse, payload: ApplicationStartIn,
                      idempotency_key: str | None = Header(None, alias=IDEMPOTENCY_HEADER)):
    """Start a draft application for the item version in force today, for yourself or for a legal
    person. The ``Idempotency-Key`` header is required: repeating the call with the same key answers
    201 with the same application (header ``Idempotent-Replayed: true``) and changes nothing; the same
    key with a different item or legal person is a 409."""
    key = (idempotency_key or "").strip()
    if not key:
        raise _bad_request("request.idempotency_key_required", f"请求头须包含 {IDEMPOTENCY_HEADER}",
                           f"the {IDEMPOTENCY_HEADER} header is required", IDEMPOTENCY_HEADER)
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise _bad_request("request.idempotency_key_too_long", f"{IDEMPOTENCY_HEADER} 不能超过 "
                           f"{IDEMPOTENCY_KEY_MAX} 个字符", f"{IDEMPOTENCY_HEADER}: at most {IDEMPOTENCY_KEY_MAX} "
                           "characters", IDEMPOTENCY_HEADER)
    credit_code = (payload.legal_person_credit_code or "").strip() or None
    existing = _application_by_key(request.user, key)
    if existing is not None:
        same_person = (existing.legal_person.credit_code if existing.legal_person_id else None) == credit_code
        if existing.item.code != payload.item_code.strip() or not same_person:
            raise Conflict.single("request.idempotency_key_reused", f"{IDEMPOTENCY_HEADER} 已用于另一项申请",
                                  f"this {IDEMPOTENCY_HEADER} was used for a different application",
                                  IDEMPOTENCY_HEADER)
        ensure_acting_authority(request.user, existing)  # 400 identity.agent.* once the mandate has ended
        response["Idempotent-Replayed"] = "true"
        return Status(201, _application_out(selectors.applicant_application(request.user, existing.public_id)))
    legal_person = _legal_person_for(request.user, credit_code) if credit_code else None
    application = services.application_start(actor=request.user, item_code=payload.item_code.strip(),
                                             legal_person=legal_person, idempotency_key=key)
    if payload.form_data:
        application = services.application_update(actor=request.user, application=application,
                                                  form_data=payload.form_data)
    return Status(201, _application_out(selectors.applicant_application(request.user, application.public_id)))


@router.patch("/applications/{public_id}", response={200: ApplicationOut, **ERRORS}, url_name="application",
              summary="保存表单 / save the form")
@permission(AUTHENTICATED)
@_mapped
def application_update(request, public_id: uuid.UUID, payload: ApplicationUpdateIn):
    """Merge ``form_data`` into the draft (drafts keep whatever was typed; submission checks it)."""
    application = selectors.application_to_act_on(request.user, public_id)
    services.application_update(actor=request.user, application=application, form_data=payload.form_data)
    return Status(200, _application_out(selectors.applicant_application(request.user, public_id)))


@router.post("/applications/{public_id}/materials/{material_id}/files", response={201: ApplicationOut, **ERRORS},
             url_name="application_material_files", summary="上传材料 / upload a material")
@permission(AUTHENTICATED)
@_mapped
def material_upload(request, public_id: uuid.UUID, material_id: int, file: File[UploadedFile]):
    """Attach a file (multipart field ``file``) to a material: on a draft, or during a correction for
    the materials the notice lists. PDF, OFD, images and office documents; the content is checked."""
    application = selectors.application_to_act_on(request.user, public_id)
    services.material_upload(actor=request.user, application=application, material_id=material_id,
                             upload=file, filename=file.name or "")
    return Status(201, _application_out(selectors.applicant_application(request.user, public_id)))


@router.post("/applications/{public_id}/materials/{material_id}/status", response={200: ApplicationOut, **ERRORS},
             url_name="application_material_status", summary="容缺/承诺/不提交 / later, promise, not needed")
@permission(AUTHENTICATED)
@_mapped
def material_status(request, public_id: uuid.UUID, material_id: int, payload: MaterialStatusIn):
    """Mark a material as following later (容缺后补, with ``follow_by``), replaced by a signed promise
    (告知承诺, with ``promise_text``), or not provided (optional materials only)."""
    application = selectors.application_to_act_on(request.user, public_id)
    services.material_set(actor=request.user, application=application, material_id=material_id,
                          status=payload.status, follow_by=payload.follow_by, promise_text=payload.promise_text)
    return Status(200, _application_out(selectors.applicant_application(request.user, public_id)))


@router.post("/applications/{public_id}/submit", response={201: SubmittedCaseOut, **ERRORS},
             url_name="application_submit", summary="提交申请 / submit")
@permission(AUTHENTICATED)
@_mapped
def application_submit(request, public_id: uuid.UUID):
    """Check everything (400 listing every problem), sign the application and open the case. A
    repeated submit answers 201 with the same case."""
    application = selectors.application_to_act_on(request.user, public_id)
    case = services.application_submit(actor=request.user, application=application)
    return Status(201, {"number": case.number, "query_code": case.query_code, "state": case.state,
                 "acceptance_due": case.acceptance_due,
                 "url": request.build_absolute_uri(reverse(CASE_URL_NAME, kwargs={"number": case.number}))})


# --- the case -------------------------------------------------------------------------------------

@router.get("/cases/{number}", response={200: CaseOut, **ERRORS}, url_name="case_detail",
            summary="办件详情 / the case")
@permission(AUTHENTICATED)
def case_detail(request, number: str):
    """Your own case (public timeline), or a case of your organ (full timeline); 404 otherwise."""
    try:
        return Status(200, _applicant_case(request, number))
    except NotFound:
        return Status(200, _staff_case(request, number))


def _staff_action(request, number: str, service, **kwargs) -> Status:
    case = selectors.access_case(request.user, number)
    service(actor=request.user, case=case, **kwargs)
    return Status(200, _staff_case(request, number))


@router.post("/cases/{number}/accept", response={200: CaseOut, **ERRORS}, url_name="case_accept",
             summary="受理 / accept")
@permission(CASE_ACCEPT)
@_mapped
def case_accept(request, number: str, payload: AcceptIn):
    """Accept (dated acceptance notice); immediate items are decided in the same call."""
    return _staff_action(request, number, services.case_accept, expected_version=payload.expected_version,
                         outcome=payload.outcome, reasons=payload.reasons, legal_basis=payload.legal_basis)


@router.post("/cases/{number}/refuse", response={200: CaseOut, **ERRORS}, url_name="case_refuse",
             summary="不予受理 / do not accept")
@permission(CASE_ACCEPT)
@_mapped
def case_refuse(request, number: str, payload: RefuseIn):
    return _staff_action(request, number, services.case_refuse, reason=payload.reason,
                         legal_basis=payload.legal_basis, expected_version=payload.expected_version)


@router.post("/cases/{number}/correction-notice", response={200: CaseOut, **ERRORS},
             url_name="case_correction_notice", summary="一次性补正告知 / correction notice")
@permission(CASE_ACCEPT)
@_mapped
def correction_notice(request, number: str, payload: CorrectionNoticeIn):
    """The one-time correction notice: every item at once; only one per case."""
    items = [{"material": i.material, "form_field": i.form_field, "problem": i.problem} for i in payload.items]
    return _staff_action(request, number, services.correction_notice_issue, items=items,
                         deadline_days=payload.deadline_days, expected_version=payload.expected_version)


@router.post("/cases/{number}/steps/{step_id}/complete", response={200: CaseOut, **ERRORS},
             url_name="case_step_complete", summary="完成办理环节 / complete a step")
@permission(CASE_HANDLE)
@_mapped
def step_complete(request, number: str, step_id: int, payload: StepCompleteIn):
    """Pass or return a handling step, or give a joint opinion. The approval step (批准) needs
    cases.case.decide in the case's organ: the service checks it (403)."""
    return _staff_action(request, number, services.step_complete, step_id=step_id, action=payload.action,
                         opinion=payload.opinion, expected_version=payload.expected_version)


@router.post("/cases/{number}/special-procedures", response={200: CaseOut, **ERRORS},
             url_name="case_special_procedures", summary="启动特别程序 / start a special procedure")
@permission(CASE_HANDLE)
@_mapped
def special_procedure_start(request, number: str, payload: SpecialProcedureIn):
    """Stop the clock (Art. 45); the new procedure is the last of ``special_procedures``."""
    return _staff_action(request, number, services.special_procedure_start, kind=payload.kind,
                         reason=payload.reason, legal_basis=payload.legal_basis, expected_days=payload.expected_days,
                         expected_version=payload.expected_version)


@router.post("/cases/{number}/special-procedures/{procedure_id}/end", response={200: CaseOut, **ERRORS},
             url_name="case_special_procedure_end", summary="结束特别程序 / end a special procedure")
@permission(CASE_HANDLE)
@_mapped
def special_procedure_end(request, number: str, procedure_id: int, payload: SpecialProcedureEndIn):
    return _staff_action(request, number, services.special_procedure_end, procedure_id=procedure_id,
                         result=payload.result, expected_version=payload.expected_version)


@router.post("/cases/{number}/extensions", response={200: CaseOut, **ERRORS}, url_name="case_extensions",
             summary="申请延期 / request an extension")
@permission(CASE_HANDLE)
@_mapped
def extension_request(request, number: str, payload: ExtensionIn):
    """Ask for an extension (Art. 42: at most 10 working days, joint handling 15); nothing moves until
    it is approved."""
    return _staff_action(request, number, services.extension_request, days=payload.days, reason=payload.reason,
                         expected_version=payload.expected_version)


@router.post("/cases/{number}/extensions/{extension_id}/approve", response={200: CaseOut, **ERRORS},
             url_name="case_extension_approve", summary="审批延期 / approve or refuse an extension")
@permission(CASE_DECIDE)
@_mapped
def extension_decide(request, number: str, extension_id: int, payload: ExtensionDecideIn):
    return _staff_action(request, number, services.extension_decide, extension_id=extension_id,
                         approve=payload.approve, note=payload.note, expected_version=payload.expected_version)


@router.post("/cases/{number}/decision", response={200: CaseOut, **ERRORS}, url_name="case_decision",
             summary="作出决定 / decide")
@permission(CASE_DECIDE)
@_mapped
def case_decide(request, number: str, payload: DecisionIn):
    """Grant or deny, with reasons and legal basis, once every step and joint opinion is done."""
    return _staff_action(request, number, services.case_decide, outcome=payload.outcome, reasons=payload.reasons,
                         legal_basis=payload.legal_basis, expected_version=payload.expected_version)


@router.post("/cases/{number}/delivery", response={200: CaseOut, **ERRORS}, url_name="case_delivery",
             summary="送达 / deliver the result")
@permission(CASE_ACCEPT)
@_mapped
def case_deliver(request, number: str, payload: DeliveryIn):
    """Record the delivery of the result and close the case (``post`` needs an address)."""
    return _staff_action(request, number, services.case_deliver, method=payload.method, address=payload.address,
                         tracking_number=payload.tracking_number, expected_version=payload.expected_version)


# --- the applicant's actions on their case --------------------------------------------------------

@router.post("/cases/{number}/correction", response={200: CaseOut, **ERRORS}, url_name="case_correction",
             summary="提交补正 / submit the correction")
@permission(AUTHENTICATED)
@_mapped
def correction_submit(request, number: str, payload: CorrectionIn):
    """Your one correction: upload the listed materials first (``…/materials/{id}/files``), then send
    the listed form fields here. The case goes back to acceptance."""
    case = selectors.case_to_act_on(request.user, number)
    services.correction_submit(actor=request.user, case=case, form_data=payload.form_data)
    return Status(200, _applicant_case(request, number))


@router.post("/cases/{number}/withdraw", response={200: CaseOut, **ERRORS}, url_name="case_withdraw",
             summary="撤回申请 / withdraw")
@permission(AUTHENTICATED)
@_mapped
def case_withdraw(request, number: str, payload: WithdrawIn):
    """Withdraw before the decision; the case ends."""
    case = selectors.case_to_act_on(request.user, number)
    services.case_withdraw(actor=request.user, case=case, reason=payload.reason)
    return Status(200, _applicant_case(request, number))
