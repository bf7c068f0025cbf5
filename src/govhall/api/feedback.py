"""好差评 ratings, 我要问 consultations and complaints over the API (issue 13).

Every endpoint looks the object up through ``govhall.feedback.selectors`` (NotFound → 404), calls
one service of ``govhall.feedback.services`` and maps the result; no business rule lives here.
Writes use the platform session (ninja's ``SessionAuth``, with Django's CSRF check). Errors are the
documented shape (``errors.py``): 400 with every problem, 401, 403 (``feedback.forbidden``: the
organ is in view but the role does not allow the action), 404, 409 (``Conflict``: the same case and
stage rated again, a step already done), 422.

``GET`` and ``POST /consultations`` share one URL, so both declare PUBLIC: the list is public and
asking needs a logged-in session, enforced by ``auth=django_auth`` on the operation (401 otherwise).
"""

from __future__ import annotations

import datetime as dt
from functools import wraps
from typing import Literal

from django.http import HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.errors import AuthenticationError
from ninja.security import django_auth
from pydantic import Field

from govhall.cases.scope import organ_ids
from govhall.core.errors import DomainError
from govhall.core.permissions import AUTHENTICATED, PUBLIC
from govhall.feedback import rules, selectors, services
from govhall.feedback.models import Complaint, Consultation, Rating, Rectification
from govhall.feedback.permissions import FEEDBACK_HANDLE, FEEDBACK_SUPERVISE, FEEDBACK_VIEW

from .errors import error_body
from .permissions import permission
from .schemas import BIGINT_MAX, ErrorOut

router = Router(tags=["feedback"], auth=django_auth)

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
FORBIDDEN = "feedback.forbidden"
XLSX = selectors.XLSX


def _forbidden_is_403(func):
    @wraps(func)
    def run(request, *args, **kwargs):
        try:
            return func(request, *args, **kwargs)
        except DomainError as exc:
            if type(exc) is DomainError and exc.problems and all(p.code == FORBIDDEN for p in exc.problems):
                first = exc.problems[0]
                return Status(403, error_body(first.code, first.message_zh, first.message_en, first.field,
                                              [p.as_dict() for p in exc.problems]))
            raise

    return run


# --- schemas --------------------------------------------------------------------------------------

class RatingIn(Schema):
    score: int = Field(ge=1, le=5, description="5 非常满意 4 满意 3 基本满意 2 不满意 1 非常不满意")
    stage: Literal["accept", "close"] | None = Field(
        None, description="评价环节：accept 受理 / close 办结；默认办结后为 close，否则 accept")
    reasons: list[str] = Field(default_factory=list, max_length=20,
                               description="差评原因代码（GET /ratings/reasons）/ bad-rating reason codes")
    comment: str = Field("", max_length=2000)
    dimensions: dict[str, int] = Field(default_factory=dict,
                                       description="分项评价 / dimension scores 1-5 (GET /ratings/reasons)")
    channel: Literal["pc", "mobile", "qr", "tablet", "kiosk", "phone", "sms"] = "pc"


class RectificationOut(Schema):
    id: int
    state: str
    opened_on: dt.date
    period_days: int
    due_date: dt.date | None = Field(description="整改期限；当年工作日历未公布时为 null / null while the calendar "
                                                 "of that year is unknown")
    founded: bool | None
    verification: str
    callback_at: dt.datetime | None
    callback_reached: bool | None
    measures: str
    reply: str
    replied_at: dt.datetime | None
    on_time: bool | None
    rater_satisfied: bool | None
    rater_answer: str
    overdue: bool


class RatingOut(Schema):
    id: int
    case_number: str
    stage: str
    score: int
    level_zh: str
    level_en: str
    channel: str
    dimensions: dict[str, int]
    reasons: list[str]
    comment: str
    created_at: dt.datetime
    flag: str = Field(description="空：有效；mistaken 误评；malicious 恶意评价（标记，从不删除）")
    rectification: RectificationOut | None


class RatingCodeOut(Schema):
    code: str
    zh: str
    en: str


class ReasonsOut(Schema):
    levels: dict[int, str]
    online_dimensions: list[RatingCodeOut]
    window_dimensions: list[RatingCodeOut]
    reasons: list[RatingCodeOut]
    reasons_are_placeholder: bool = Field(description="true：原因清单为占位，待按 GB/T 39734 附录A补全")


class FiguresQuery(Schema):
    by: Literal["organ", "item"] = "organ"
    since: dt.date | None = None
    until: dt.date | None = None


class FiguresOut(Schema):
    key: str = Field(description="机构信用代码（或 O+编号）或事项实施编码 / organ credit code or item code")
    name: str
    ratings: int
    good: int
    bad: int
    good_share: float | None
    bad_rectified_on_time: int
    rectified_on_time_share: float | None
    real_name_bad: int
    called_back: int
    callback_rate: float | None


class ExportQuery(Schema):
    format: Literal["csv", "xlsx"] = "csv"
    since: dt.date | None = None
    until: dt.date | None = None


class VerifyIn(Schema):
    founded: bool
    note: str = Field(max_length=2000)


class CallbackIn(Schema):
    reached: bool
    note: str = Field(max_length=2000)


class MeasuresIn(Schema):
    measures: str = Field(max_length=2000)


class ReplyIn(Schema):
    reply: str = Field(max_length=2000)


class AnswerIn(Schema):
    satisfied: bool
    answer: str = Field("", max_length=2000)


class AppealIn(Schema):
    mark: Literal["mistaken", "malicious"]
    evidence: str = Field(max_length=5000)


class AppealDecideIn(Schema):
    uphold: bool
    note: str = Field(max_length=2000)


class AppealOut(Schema):
    id: int
    rating_id: int
    mark: str
    state: str
    evidence: str
    decision_note: str


class ConsultationIn(Schema):
    item_code: str = Field(max_length=31, description="实施编码 / implementation code")
    question: str = Field(max_length=2000)


class ConsultationOut(Schema):
    id: int
    item_code: str
    state: str
    question: str
    answer: str
    asked_at: dt.datetime
    due_date: dt.date | None
    answered_at: dt.datetime | None
    published: bool


class PublishedConsultationOut(Schema):
    id: int
    item_code: str
    question: str
    answer: str
    published_at: dt.datetime


class ConsultationQuery(Schema):
    item: str = Field("", max_length=31, description="实施编码 / item code")


class ConsultationAnswerIn(Schema):
    answer: str = Field(max_length=5000)


class PublishIn(Schema):
    question: str = Field("", max_length=2000, description="公开的问题（去除个人信息）；默认原文")
    answer: str = Field("", max_length=5000, description="公开的答复；默认原文")


class ComplaintIn(Schema):
    subject: str = Field(max_length=200)
    content: str = Field(max_length=5000)
    case_number: str = Field("", max_length=43)
    item_code: str = Field("", max_length=31)
    about: Literal["case", "item", "window", "platform"] | None = None


class ComplaintOut(Schema):
    id: int
    about: str
    subject: str
    content: str
    case_number: str | None
    state: str
    submitted_at: dt.datetime
    due_date: dt.date | None
    reply: str
    replied_at: dt.datetime | None
    reply_score: int | None


class AcknowledgeIn(Schema):
    note: str = Field("", max_length=2000)


class ComplaintReplyIn(Schema):
    reply: str = Field(max_length=5000)
    handling: str = Field("", max_length=5000)


class ComplaintRateIn(Schema):
    score: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=2000)


class SearchQuery(Schema):
    q: str = Field("", max_length=100)
    state: str = Field("", max_length=15)


# --- mapping --------------------------------------------------------------------------------------

def _rect_out(rect: Rectification | None) -> dict | None:
    if rect is None:
        return None
    return {"id": rect.pk, "state": rect.state, "opened_on": rect.opened_on, "period_days": rect.period_days,
            "due_date": rect.due_date, "founded": rect.founded, "verification": rect.verification,
            "callback_at": rect.callback_at, "callback_reached": rect.callback_reached, "measures": rect.measures,
            "reply": rect.reply, "replied_at": rect.replied_at, "on_time": rect.on_time,
            "rater_satisfied": rect.rater_satisfied, "rater_answer": rect.rater_answer,
            "overdue": rect.overdue_at is not None}


def _rating_out(rating: Rating) -> dict:
    rect = Rectification.objects.filter(rating=rating).first()
    return {"id": rating.pk, "case_number": rating.case.number, "stage": rating.stage, "score": rating.score,
            "level_zh": rating.level_zh, "level_en": rating.level_en, "channel": rating.channel,
            "dimensions": rating.dimensions, "reasons": rating.reasons, "comment": rating.comment,
            "created_at": rating.created_at, "flag": rating.flag, "rectification": _rect_out(rect)}


def _consultation_out(c: Consultation) -> dict:
    return {"id": c.pk, "item_code": c.item.code or c.item.key, "state": c.state, "question": c.question,
            "answer": c.answer, "asked_at": c.asked_at, "due_date": c.due_date, "answered_at": c.answered_at,
            "published": c.published_at is not None}


def _complaint_out(c: Complaint) -> dict:
    return {"id": c.pk, "about": c.about, "subject": c.subject, "content": c.content,
            "case_number": c.case.number if c.case_id else None, "state": c.state, "submitted_at": c.submitted_at,
            "due_date": c.due_date, "reply": c.reply, "replied_at": c.replied_at, "reply_score": c.reply_score}


def _pairs(table: dict) -> list[dict]:
    return [{"code": k, "zh": zh, "en": en} for k, (zh, en) in table.items()]


# --- ratings --------------------------------------------------------------------------------------

@router.get("/ratings/reasons", response={200: ReasonsOut}, auth=None, url_name="rating_reasons",
            summary="评价等级、维度与差评原因 / levels, dimensions and bad-rating reasons")
@permission(PUBLIC)
def rating_reasons(request):
    return {"levels": {k: v[0] for k, v in rules.LEVELS.items()},
            "online_dimensions": _pairs(rules.ONLINE_DIMENSIONS), "window_dimensions": _pairs(rules.WINDOW_DIMENSIONS),
            "reasons": _pairs(rules.BAD_REASONS), "reasons_are_placeholder": rules.BAD_REASONS_ARE_PLACEHOLDER}


@router.post("/cases/{number}/ratings", response={201: RatingOut, **ERRORS}, url_name="case_ratings",
             summary="评价办件（一事一评）/ rate a case")
@permission(AUTHENTICATED)
def rating_create(request, number: str, payload: RatingIn):
    """The applicant, or the agent who applied, rates the case once per stage; a bad rating (1-2)
    answers with its rectification and due date. The same case and stage again: 409."""
    case = selectors.case_for_rating(request.user, number)
    rating = services.rating_create(actor=request.user, case=case, score=payload.score, stage=payload.stage,
                                    reasons=payload.reasons, comment=payload.comment,
                                    dimensions=payload.dimensions, channel=payload.channel)
    return Status(201, _rating_out(rating))


@router.get("/ratings/figures", response={200: list[FiguresOut], **ERRORS}, auth=None, url_name="rating_figures",
            summary="好差评公示数据 / published rating figures")
@permission(PUBLIC)
def rating_figures(request, filters: Query[FiguresQuery]):
    """Per organ or item: number of ratings, share of good ratings (满意 and 非常满意), bad ratings
    rectified on time, callback rate of real-name bad ratings. Ratings marked mistaken or malicious
    are left out. A share is null when there is nothing to divide."""
    return [f.as_dict() for f in selectors.figures(by=filters.by, since=filters.since, until=filters.until)]


@router.get("/ratings/export", response={200: None, **ERRORS}, url_name="rating_export",
            summary="评价与整改导出（中立格式）/ export of ratings and rectifications",
            openapi_extra={"responses": {200: {"description": "CSV (UTF-8 with BOM) or the Excel workbook", "content": {
                "text/csv": {"schema": {"type": "string"}},
                XLSX: {"schema": {"type": "string", "format": "binary"}}}}}})
@permission(FEEDBACK_VIEW)
def rating_export(request, filters: Query[ExportQuery]):
    """Every rating of your organs with its rectification, in the neutral schema documented in
    docs/feedback.md (CSV in UTF-8 with BOM, or Excel)."""

    rows = selectors.export_rows(organ_ids_in=organ_ids(request.user, FEEDBACK_VIEW), since=filters.since,
                                 until=filters.until)
    return export_response(rows, filters.format)


def export_response(rows: list[list[str]], fmt: str) -> HttpResponse:
    content, content_type, filename = selectors.export_file(rows, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _rect_action(request, pk: int, service, **kwargs):
    rect = selectors.access_rectification(request.user, pk)
    rect = service(actor=request.user, rectification=rect, **kwargs)
    return Status(200, _rating_out(rect.rating))


def _rect_id():
    from ninja import Path

    return Path(..., ge=1, le=BIGINT_MAX)


@router.post("/rectifications/{pk}/verify", response={200: RatingOut, **ERRORS}, summary="核实差评 / verify")
@permission(FEEDBACK_HANDLE)
@_forbidden_is_403
def rectification_verify(request, payload: VerifyIn, pk: int = _rect_id()):
    return _rect_action(request, pk, services.rectification_verify, founded=payload.founded, note=payload.note)


@router.post("/rectifications/{pk}/callback", response={200: RatingOut, **ERRORS}, summary="回访记录 / callback")
@permission(FEEDBACK_HANDLE)
@_forbidden_is_403
def rectification_callback(request, payload: CallbackIn, pk: int = _rect_id()):
    return _rect_action(request, pk, services.rectification_callback, reached=payload.reached, note=payload.note)


@router.post("/rectifications/{pk}/rectify", response={200: RatingOut, **ERRORS}, summary="整改 / rectify")
@permission(FEEDBACK_HANDLE)
@_forbidden_is_403
def rectification_rectify(request, payload: MeasuresIn, pk: int = _rect_id()):
    return _rect_action(request, pk, services.rectification_rectify, measures=payload.measures)


@router.post("/rectifications/{pk}/reply", response={200: RatingOut, **ERRORS}, summary="答复评价人 / reply")
@permission(FEEDBACK_HANDLE)
@_forbidden_is_403
def rectification_reply(request, payload: ReplyIn, pk: int = _rect_id()):
    return _rect_action(request, pk, services.rectification_reply, reply=payload.reply)


@router.post("/ratings/{pk}/answer", response={200: RatingOut, **ERRORS},
             summary="评价人回复整改答复 / the rater answers the reply")
@permission(AUTHENTICATED)
def rectification_answer(request, payload: AnswerIn, pk: int = _rect_id()):
    rating = selectors.my_rating(request.user, pk)
    rect = Rectification.objects.filter(rating=rating).first()
    if rect is None:
        from govhall.core.errors import NotFound

        raise NotFound(str(pk))
    services.rectification_answer(actor=request.user, rectification=rect, satisfied=payload.satisfied,
                                  answer=payload.answer)
    return Status(200, _rating_out(rating))


@router.post("/ratings/{pk}/appeals", response={201: AppealOut, **ERRORS}, summary="申诉 / appeal a rating")
@permission(FEEDBACK_HANDLE)
@_forbidden_is_403
def appeal_request(request, payload: AppealIn, pk: int = _rect_id()):
    rating = selectors.access_rating(request.user, pk)
    appeal = services.appeal_request(actor=request.user, rating=rating, mark=payload.mark, evidence=payload.evidence)
    return Status(201, _appeal_out(appeal))


def _appeal_out(appeal) -> dict:
    return {"id": appeal.pk, "rating_id": appeal.rating_id, "mark": appeal.mark, "state": appeal.state,
            "evidence": appeal.evidence, "decision_note": appeal.decision_note}


@router.post("/appeals/{pk}/decide", response={200: AppealOut, **ERRORS}, summary="审核申诉 / decide an appeal")
@permission(FEEDBACK_SUPERVISE)
@_forbidden_is_403
def appeal_decide(request, payload: AppealDecideIn, pk: int = _rect_id()):
    appeal = selectors.access_appeal(request.user, pk)
    appeal = services.appeal_decide(actor=request.user, appeal=appeal, uphold=payload.uphold, note=payload.note)
    return Status(200, _appeal_out(appeal))


# --- consultations --------------------------------------------------------------------------------

@router.get("/consultations", response={200: list[PublishedConsultationOut], **ERRORS}, auth=None,
            url_name="consultations", summary="已公开的咨询答复 / published answers")
@permission(PUBLIC)
def consultations_published(request, filters: Query[ConsultationQuery]):
    return [{"id": c.pk, "item_code": c.item.code or c.item.key, "question": c.public_question,
             "answer": c.public_answer, "published_at": c.published_at}
            for c in selectors.published_consultations(filters.item)[:200]]


@router.post("/consultations", response={201: ConsultationOut, **ERRORS}, summary="我要问 / ask about an item",
             auth=None)
@permission(PUBLIC)  # one URL with the public list of answers; asking needs a session, checked here (401)
def consultation_ask(request, payload: ConsultationIn):
    if not request.user.is_authenticated:  # anonymous asking with an SMS-checked phone: not yet
        raise AuthenticationError()
    consultation = services.consultation_ask(actor=request.user, item_code=payload.item_code,
                                             question=payload.question)
    return Status(201, _consultation_out(consultation))


@router.get("/staff/consultations", response={200: list[ConsultationOut], **ERRORS},
            summary="本机构咨询（检索）/ consultations of your organs")
@permission(FEEDBACK_VIEW)
def consultations_staff(request, filters: Query[SearchQuery]):
    return [_consultation_out(c) for c in selectors.consultations_for(request.user, q=filters.q,
                                                                       state=filters.state)[:200]]


@router.post("/consultations/{pk}/answer", response={200: ConsultationOut, **ERRORS}, summary="答复咨询 / answer")
@permission(FEEDBACK_HANDLE)
@_forbidden_is_403
def consultation_answer(request, payload: ConsultationAnswerIn, pk: int = _rect_id()):
    c = selectors.access_consultation(request.user, pk)
    return Status(200, _consultation_out(services.consultation_answer(actor=request.user, consultation=c,
                                                                      answer=payload.answer)))


@router.post("/consultations/{pk}/publish", response={200: ConsultationOut, **ERRORS},
             summary="公开为常见问题 / publish as a FAQ entry")
@permission(FEEDBACK_HANDLE)
@_forbidden_is_403
def consultation_publish(request, payload: PublishIn, pk: int = _rect_id()):
    c = selectors.access_consultation(request.user, pk)
    return Status(200, _consultation_out(services.consultation_publish(
        actor=request.user, consultation=c, question=payload.question, answer=payload.answer)))


# --- complaints -----------------------------------------------------------------------------------

@router.post("/complaints", response={201: ComplaintOut, **ERRORS}, url_name="complaints",
             summary="投诉 / file a complaint")
@permission(AUTHENTICATED)
def complaint_file(request, payload: ComplaintIn):
    complaint = services.complaint_file(actor=request.user, subject=payload.subject, content=payload.content,
                                        case_number=payload.case_number, item_code=payload.item_code,
                                        about=payload.about or "")
    return Status(201, _complaint_out(complaint))


@router.get("/staff/complaints", response={200: list[ComplaintOut], **ERRORS},
            summary="本机构及督办范围内的投诉（检索）/ complaints in your scope")
@permission(FEEDBACK_VIEW)
def complaints_staff(request, filters: Query[SearchQuery]):
    return [_complaint_out(c) for c in selectors.complaints_for(request.user, q=filters.q, state=filters.state)[:200]]


@router.post("/complaints/{pk}/acknowledge", response={200: ComplaintOut, **ERRORS}, summary="受理投诉 / acknowledge")
@permission(FEEDBACK_VIEW)
@_forbidden_is_403
def complaint_acknowledge(request, payload: AcknowledgeIn, pk: int = _rect_id()):
    c = selectors.access_complaint(request.user, pk)
    return Status(200, _complaint_out(services.complaint_acknowledge(actor=request.user, complaint=c,
                                                                     note=payload.note)))


@router.post("/complaints/{pk}/reply", response={200: ComplaintOut, **ERRORS}, summary="答复投诉 / reply")
@permission(FEEDBACK_VIEW)
@_forbidden_is_403
def complaint_reply(request, payload: ComplaintReplyIn, pk: int = _rect_id()):
    c = selectors.access_complaint(request.user, pk)
    return Status(200, _complaint_out(services.complaint_reply(actor=request.user, complaint=c, reply=payload.reply,
                                                               handling=payload.handling)))


@router.post("/complaints/{pk}/rate", response={200: ComplaintOut, **ERRORS},
             summary="评价投诉答复 / rate the reply")
@permission(AUTHENTICATED)
def complaint_rate(request, payload: ComplaintRateIn, pk: int = _rect_id()):
    c = selectors.my_complaint(request.user, pk)
    return Status(200, _complaint_out(services.complaint_rate(actor=request.user, complaint=c, score=payload.score,
                                                              comment=payload.comment)))
