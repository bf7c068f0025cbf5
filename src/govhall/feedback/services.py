"""Every state change of the feedback context: one function each, in one transaction, with the
actor's authority checked here at the moment of the action and every problem raised together.

Ratings (好差评): ``rating_create`` (applicant or the agent who applied, ``ensure_acting_authority``),
a bad rating opening its ``Rectification`` on the working-day clock; ``rectification_verify``,
``rectification_callback``, ``rectification_rectify``, ``rectification_reply`` (organ staff),
``rectification_answer`` (the rater); ``flag_overdue_rectifications`` (periodic: records
``feedback.rectification_overdue``); ``appeal_request`` (organ) and ``appeal_decide`` (supervisor):
a rating is marked, never deleted. ``invite_to_rate`` (subscriber of ``case.closed``) and
``remind_unrated`` (periodic, once after 3 days).

Consultations (我要问): ``consultation_ask``, ``consultation_answer``, ``consultation_publish``.
Complaints (投诉): ``complaint_file``, ``complaint_acknowledge``, ``complaint_reply``, ``complaint_rate``.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from govhall.cases.authority import addressee, ensure_acting_authority, may_read
from govhall.cases.models import Case, CaseState
from govhall.cases.scope import organ_ids
from govhall.catalog.models import ImplementationItem, Organ
from govhall.catalog.selectors import published_version
from govhall.core import audit, events
from govhall.core.calendar_store import get_calendar
from govhall.core.errors import Conflict, DomainError, NotFound, Problem
from govhall.identity.models import Person
from govhall.notifications.services import notify

from . import rules
from .models import (
    Appeal,
    Complaint,
    Consultation,
    Rating,
    RatingChannel,
    RatingFlag,
    RatingInvitation,
    RatingStage,
    Rectification,
    RectificationPeriod,
)
from .permissions import FEEDBACK_HANDLE, FEEDBACK_SUPERVISE, FEEDBACK_VIEW

RATEABLE_ACCEPT_STATES = (CaseState.IN_PROGRESS, CaseState.SUSPENDED, CaseState.DECIDED, CaseState.CLOSED,
                          CaseState.NOT_ACCEPTED)
INVITED_STATES = (CaseState.CLOSED, CaseState.NOT_ACCEPTED)  # a service was given; withdrawn cases are not rated
TEXT_MAX = 2000


def _today() -> dt.date:
    return timezone.localdate()


def _problem(code: str, zh: str, en: str, field: str = "") -> Problem:
    return Problem(code, zh, en, field)


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise DomainError(problems)


def _text(value: str, field: str, code: str, zh: str, en: str, *, required: bool = True,
          limit: int = TEXT_MAX) -> list[Problem]:
    value = (value or "").strip()
    if required and not value:
        return [_problem(code, zh, en, field)]
    if len(value) > limit:
        return [_problem(f"{code}_too_long", f"内容不能超过 {limit} 字", f"at most {limit} characters", field)]
    return []


def add_working_days(day: dt.date, n: int) -> dt.date | None:
    """``day`` + ``n`` working days, or None when the year's official calendar is not known."""
    try:
        return get_calendar().add_working_days(day, n)
    except Exception as exc:  # CalendarYearUnknown: show "unknown", never guess
        if type(exc).__name__ == "CalendarYearUnknown":
            return None
        raise


def rectification_period(organ: Organ) -> int:
    """Working days of the nearest region setting up the organ's region tree, else the default."""
    region = organ.region
    seen = 0
    while region is not None and seen < 10:
        setting = RectificationPeriod.objects.filter(region=region).first()
        if setting is not None:
            return setting.working_days
        region, seen = region.parent, seen + 1
    return rules.DEFAULT_DAYS


def _ensure_staff(actor, organ_id: int | None, permission: str) -> None:
    """NotFound when the actor holds no feedback role in the organ (what one may not see is absent);
    DomainError when they see it but may not do this."""
    if organ_id is None or organ_id not in organ_ids(actor, FEEDBACK_VIEW):
        raise NotFound(str(organ_id))
    if organ_id not in organ_ids(actor, permission):
        raise DomainError.single("feedback.forbidden", "您没有办理此项操作的权限", "you may not take this action", "")


# --- ratings -------------------------------------------------------------------------------------


def _rating_problems(score, reasons, comment, dimensions, channel) -> list[Problem]:
    problems = []
    if not isinstance(score, int) or isinstance(score, bool) or score not in rules.LEVELS:
        problems.append(_problem("feedback.rating.score", "评价等级须为 1 至 5", "the score is 1 to 5", "score"))
        score = None
    if channel not in RatingChannel.values:
        problems.append(_problem("feedback.rating.channel", "评价渠道无效", "unknown channel", "channel"))
    unknown = [r for r in reasons if r not in rules.BAD_REASONS]
    if unknown:
        problems.append(_problem("feedback.rating.reason", f"差评原因无效：{', '.join(map(str, unknown))}",
                                 f"unknown reasons: {', '.join(map(str, unknown))}", "reasons"))
    if score is not None and not rules.is_bad(score) and reasons:
        problems.append(_problem("feedback.rating.reason_not_bad", "只有“不满意”和“非常不满意”需要选择差评原因",
                                 "reasons are chosen for bad ratings only", "reasons"))
    if score is not None and rules.is_bad(score) and not reasons:
        problems.append(_problem("feedback.rating.reason_required", "差评请至少选择一项原因",
                                 "a bad rating needs at least one reason", "reasons"))
    if "X99" in reasons and not (comment or "").strip():
        problems.append(_problem("feedback.rating.other_comment", "选择“其他”时请在评价内容中说明",
                                 "say what “other” is in the comment", "comment"))
    problems += _text(comment, "comment", "feedback.rating.comment", "", "", required=False)
    allowed = rules.dimensions_for(channel)
    for key, value in (dimensions or {}).items():
        if key not in allowed:
            problems.append(_problem("feedback.rating.dimension", f"评价维度无效：{key}", f"unknown dimension: {key}",
                                     f"dimensions.{key}"))
        elif not isinstance(value, int) or isinstance(value, bool) or value not in rules.LEVELS:
            problems.append(_problem("feedback.rating.dimension_score", "维度评分须为 1 至 5",
                                     "a dimension's score is 1 to 5", f"dimensions.{key}"))
    return problems


def _default_stage(case: Case) -> str:
    return RatingStage.CLOSE if case.closed_at else RatingStage.ACCEPT


@transaction.atomic
def rating_create(*, actor, case: Case, score: int, stage: str | None = None, reasons: list[str] | None = None,
                  comment: str = "", dimensions: dict | None = None, channel: str = RatingChannel.PC) -> Rating:
    """一事一评: rate ``case`` at ``stage`` (default: closing once closed, else acceptance). Only the
    applicant or the agent who applied (authority in force now), once per case and stage: a second
    rating raises Conflict. A bad rating (1 or 2) opens its rectification, due after the region's
    period in working days. Audit: feedback.rating.created."""
    case = (Case.objects.select_for_update(of=("self",)).select_related("application", "organ__region", "item")
            .get(pk=case.pk))
    application = case.application
    if getattr(actor, "pk", None) == application.taken_by_id and actor.pk != application.applicant_id:
        raise NotFound(case.number)  # the window officer who took it does not rate their own service
    mandate = ensure_acting_authority(actor, case, lock=True)
    reasons = list(dict.fromkeys(reasons or []))
    stage = stage or _default_stage(case)
    problems = []
    if stage not in RatingStage.values:
        problems.append(_problem("feedback.rating.stage", "评价环节无效（accept 或 close）",
                                 "stage is accept or close", "stage"))
    elif stage == RatingStage.CLOSE and not case.closed_at:
        problems.append(_problem("feedback.rating.not_closed", "办件尚未办结，不能进行办结评价",
                                 "the case is not closed yet", "stage"))
    elif stage == RatingStage.ACCEPT and case.state not in RATEABLE_ACCEPT_STATES:
        problems.append(_problem("feedback.rating.not_accepted_yet", "办件尚未受理，不能进行受理评价",
                                 "the case has not been through acceptance yet", "stage"))
    problems += _rating_problems(score, reasons, comment, dimensions, channel)
    if case.state == CaseState.WITHDRAWN:
        problems.append(_problem("feedback.rating.withdrawn", "已撤回的办件不能评价", "a withdrawn case is not rated"))
    _raise(problems)
    if Rating.objects.filter(case=case, stage=stage).exists():
        raise Conflict.single("feedback.rating.exists", "该办件此环节已评价（一事一评）",
                              "this case has already been rated at this stage", "stage")
    now = timezone.now()
    person = Person.objects.filter(user_id=actor.pk).first()
    role = "applicant"
    if application.legal_person_id:
        role = "agent" if mandate is not None else "representative"
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                case=case, stage=stage, rater=actor, rater_role=role, mandate=mandate, real_name=person is not None,
                channel=channel, score=score, dimensions=dict(dimensions or {}), reasons=reasons,
                comment=(comment or "").strip(), organ=case.organ, item=case.item,
                window_officer_id=application.taken_by_id, created_at=now)
    except IntegrityError:
        raise Conflict.single("feedback.rating.exists", "该办件此环节已评价（一事一评）",
                              "this case has already been rated at this stage", "stage") from None
    audit.record(actor=actor, action="feedback.rating.created", target=rating,
                 after={"case": case.number, "stage": stage, "score": score, "reasons": reasons,
                        "channel": channel})
    if rating.is_bad:
        _open_rectification(rating, now)
    events.record("feedback.rating_created", {"rating_id": rating.pk, "case_id": case.pk, "number": case.number,
                                              "stage": stage, "score": score, "organ_id": case.organ_id})
    return rating


def _open_rectification(rating: Rating, now: dt.datetime) -> Rectification:
    today = timezone.localdate(now)
    days = rectification_period(rating.organ)
    rect = Rectification.objects.create(rating=rating, organ=rating.organ, opened_on=today, period_days=days,
                                        due_date=add_working_days(today, days))
    audit.record(actor=None, action="feedback.rectification.opened", target=rect,
                 after={"rating": rating.pk, "case": rating.case.number, "due": rect.due_date, "days": days})
    return rect


def _lock_rect(actor, rect: Rectification, permission: str = FEEDBACK_HANDLE) -> Rectification:
    rect = Rectification.objects.select_for_update(of=("self",)).select_related("rating__case").get(pk=rect.pk)
    _ensure_staff(actor, rect.organ_id, permission)
    return rect


def _closed_rect(rect: Rectification) -> None:
    if rect.state in (Rectification.State.REPLIED, Rectification.State.ANSWERED):
        raise Conflict.single("feedback.rectification.replied", "该差评已答复", "the rating has been replied to", "")


@transaction.atomic
def rectification_verify(*, actor, rectification: Rectification, founded: bool, note: str) -> Rectification:
    """核实: the organ checks what the rater says. Audit: feedback.rectification.verified."""
    rect = _lock_rect(actor, rectification)
    _closed_rect(rect)
    _raise(_text(note, "verification", "feedback.rectification.verification", "请填写核实情况",
                 "describe what the verification found"))
    rect.state, rect.verified_at, rect.verified_by = Rectification.State.VERIFIED, timezone.now(), actor
    rect.founded, rect.verification = bool(founded), note.strip()
    rect.save()
    audit.record(actor=actor, action="feedback.rectification.verified", target=rect,
                 after={"founded": rect.founded})
    return rect


@transaction.atomic
def rectification_callback(*, actor, rectification: Rectification, reached: bool, note: str) -> Rectification:
    """回访: the record of calling the rater back (real-name bad ratings: 100% callback). A failed
    attempt is recorded too; a later call replaces it. Audit: feedback.rectification.called_back."""
    rect = _lock_rect(actor, rectification)
    _closed_rect(rect)
    _raise(_text(note, "callback_note", "feedback.rectification.callback", "请填写回访记录",
                 "write down the callback"))
    rect.callback_at, rect.callback_by, rect.callback_reached = timezone.now(), actor, bool(reached)
    rect.callback_note = note.strip()
    rect.save()
    audit.record(actor=actor, action="feedback.rectification.called_back", target=rect,
                 after={"reached": rect.callback_reached})
    return rect


@transaction.atomic
def rectification_rectify(*, actor, rectification: Rectification, measures: str) -> Rectification:
    """整改: what the organ changed. After verification. Audit: feedback.rectification.rectified."""
    rect = _lock_rect(actor, rectification)
    _closed_rect(rect)
    problems = _text(measures, "measures", "feedback.rectification.measures", "请填写整改措施",
                     "describe the measures taken")
    if rect.verified_at is None:
        problems.append(_problem("feedback.rectification.not_verified", "请先核实", "verify first", ""))
    _raise(problems)
    rect.state, rect.rectified_at, rect.measures = Rectification.State.RECTIFIED, timezone.now(), measures.strip()
    rect.save()
    audit.record(actor=actor, action="feedback.rectification.rectified", target=rect)
    return rect


@transaction.atomic
def rectification_reply(*, actor, rectification: Rectification, reply: str) -> Rectification:
    """答复: the result told to the rater (inbox and SMS). Needs the verification, the rectification
    when the rating was founded, and a callback record for a real-name rater. Whether it was on
    time is kept for the figures. Audit: feedback.rectification.replied."""
    rect = _lock_rect(actor, rectification)
    _closed_rect(rect)
    rating = rect.rating
    problems = _text(reply, "reply", "feedback.rectification.reply", "请填写答复内容", "write the reply")
    if rect.verified_at is None:
        problems.append(_problem("feedback.rectification.not_verified", "请先核实", "verify first", ""))
    elif rect.founded and rect.rectified_at is None:
        problems.append(_problem("feedback.rectification.not_rectified", "差评属实，请先填写整改措施",
                                 "the rating was founded: record the rectification first", "measures"))
    if rating.real_name and rect.callback_at is None:
        problems.append(_problem("feedback.rectification.no_callback", "实名差评须先回访评价人",
                                 "call the real-name rater back first", "callback_note"))
    _raise(problems)
    now = timezone.now()
    rect.state, rect.replied_at, rect.replied_by, rect.reply = Rectification.State.REPLIED, now, actor, reply.strip()
    rect.on_time = None if rect.due_date is None else timezone.localdate(now) <= rect.due_date
    rect.save()
    case = rating.case
    notify(recipient=rating.rater, kind="feedback.rectification_replied",
           subject_zh=f"您对办件 {case.number} 的评价已答复", subject_en=f"Your rating of case {case.number}: reply",
           body_zh=f"{rect.reply}\n\n您可以在“我的评价”中回复是否满意。",
           body_en=f"{rect.reply}\n\nYou may tell us in “My ratings” whether you are satisfied.",
           link=f"/feedback/ratings/{rating.pk}/", case_number=case.number)
    audit.record(actor=actor, action="feedback.rectification.replied", target=rect,
                 after={"on_time": rect.on_time})
    return rect


@transaction.atomic
def rectification_answer(*, actor, rectification: Rectification, satisfied: bool, answer: str = "") -> Rectification:
    """The rater answers the reply (satisfied or not, and why). Once. Audit: feedback.rectification.answered."""
    rect = Rectification.objects.select_for_update(of=("self",)).select_related("rating").get(pk=rectification.pk)
    if getattr(actor, "pk", None) != rect.rating.rater_id:
        raise NotFound(str(rect.pk))
    if rect.state != Rectification.State.REPLIED:
        raise Conflict.single("feedback.rectification.not_replied" if rect.state != Rectification.State.ANSWERED
                              else "feedback.rectification.answered", "当前不能回复（尚未答复或已回复）",
                              "nothing to answer now (not replied yet, or answered already)", "")
    _raise(_text(answer, "answer", "feedback.rectification.answer", "", "", required=False))
    rect.state, rect.rater_satisfied = Rectification.State.ANSWERED, bool(satisfied)
    rect.rater_answer, rect.answered_at = (answer or "").strip(), timezone.now()
    rect.save()
    audit.record(actor=actor, action="feedback.rectification.answered", target=rect,
                 after={"satisfied": rect.rater_satisfied})
    return rect


@transaction.atomic
def flag_overdue_rectifications(today: dt.date | None = None) -> int:
    """Mark the rectifications not replied by their due date and record
    ``feedback.rectification_overdue`` for each (once), for supervision to warn on."""
    today = today or _today()
    rows = list(Rectification.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(state__in=[Rectification.State.OPEN, Rectification.State.VERIFIED,
                                   Rectification.State.RECTIFIED],
                        due_date__lt=today, overdue_at__isnull=True).select_related("rating__case"))
    now = timezone.now()
    for rect in rows:
        rect.overdue_at = now
        rect.save(update_fields=["overdue_at"])
        events.record("feedback.rectification_overdue", {
            "rectification_id": rect.pk, "rating_id": rect.rating_id, "case_id": rect.rating.case_id,
            "number": rect.rating.case.number, "organ_id": rect.organ_id, "due_date": rect.due_date.isoformat()})
        audit.record(actor=None, action="feedback.rectification.overdue", target=rect,
                     after={"due": rect.due_date})
    return len(rows)


@transaction.atomic
def appeal_request(*, actor, rating: Rating, mark: str, evidence: str) -> Appeal:
    """申诉: the organ asks a supervisor to mark the rating mistaken or malicious, with evidence.
    One open appeal per rating. Audit: feedback.appeal.requested."""
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    _ensure_staff(actor, rating.organ_id, FEEDBACK_HANDLE)
    problems = _text(evidence, "evidence", "feedback.appeal.evidence", "请提供申诉证据", "give the evidence")
    if mark not in (RatingFlag.MISTAKEN, RatingFlag.MALICIOUS):
        problems.append(_problem("feedback.appeal.mark", "申诉类型须为误评（mistaken）或恶意评价（malicious）",
                                 "mark is mistaken or malicious", "mark"))
    _raise(problems)
    if rating.flag:
        raise Conflict.single("feedback.appeal.marked", "该评价已被标记", "the rating is already marked", "")
    if rating.appeals.filter(state=Appeal.State.REQUESTED).exists():
        raise Conflict.single("feedback.appeal.open", "该评价已有待审核的申诉", "an appeal is already waiting", "")
    appeal = Appeal.objects.create(rating=rating, mark=mark, evidence=evidence.strip(), requested_by=actor,
                                   requested_at=timezone.now())
    audit.record(actor=actor, action="feedback.appeal.requested", target=appeal,
                 after={"rating": rating.pk, "mark": mark})
    return appeal


@transaction.atomic
def appeal_decide(*, actor, appeal: Appeal, uphold: bool, note: str) -> Appeal:
    """A supervisor of the rating's organ upholds (the rating is marked, never deleted, and leaves
    the figures) or rejects the appeal. Audit: feedback.appeal.decided."""
    appeal = Appeal.objects.select_for_update(of=("self",)).select_related("rating").get(pk=appeal.pk)
    rating = Rating.objects.select_for_update().get(pk=appeal.rating_id)
    _ensure_staff(actor, rating.organ_id, FEEDBACK_SUPERVISE)
    if appeal.requested_by_id == actor.pk:
        raise DomainError.single("feedback.appeal.own", "不能审核自己提出的申诉", "you may not decide your own appeal")
    if appeal.state != Appeal.State.REQUESTED:
        raise Conflict.single("feedback.appeal.decided", "该申诉已审核", "the appeal has been decided", "")
    _raise(_text(note, "decision_note", "feedback.appeal.note", "请填写审核意见", "give the reasons"))
    now = timezone.now()
    appeal.state = Appeal.State.UPHELD if uphold else Appeal.State.REJECTED
    appeal.decided_by, appeal.decided_at, appeal.decision_note = actor, now, note.strip()
    appeal.save()
    if uphold:
        before = rating.flag
        rating.flag, rating.flagged_at = appeal.mark, now
        rating.save(update_fields=["flag", "flagged_at"])
        audit.record(actor=actor, action="feedback.rating.marked", target=rating,
                     before={"flag": before}, after={"flag": rating.flag, "appeal": appeal.pk})
    audit.record(actor=actor, action="feedback.appeal.decided", target=appeal, after={"state": appeal.state},
                 reason=appeal.decision_note)
    return appeal


# --- invitations --------------------------------------------------------------------------------


def _rate_link(case: Case) -> str:
    return f"/feedback/rate/{case.number}/"


@transaction.atomic
def invite_to_rate(case_id: int) -> RatingInvitation | None:
    """Invite the applicant (or whoever is told about the case) to rate it at closing, in the inbox
    and by SMS. Idempotent: one invitation per case and stage; nothing for a rated or withdrawn case."""
    case = Case.objects.select_for_update(of=("self",)).select_related("application").filter(pk=case_id).first()
    if case is None or case.state not in INVITED_STATES:
        return None
    stage = RatingStage.CLOSE
    if (RatingInvitation.objects.filter(case=case, stage=stage).exists()
            or Rating.objects.filter(case=case, stage=stage).exists()):
        return None
    recipient = addressee(case)
    invitation = RatingInvitation.objects.create(case=case, stage=stage, recipient=recipient,
                                                 invited_at=timezone.now())
    notify(recipient=recipient, kind="feedback.rating_invited",
           subject_zh=f"请对办件 {case.number} 的办理进行评价", subject_en=f"Please rate the handling of case {case.number}",
           body_zh=f"您的办件“{case.item_name}”（{case.number}）已办结。欢迎对本次服务进行“好差评”。",
           body_en=f"Your case “{case.item_name}” ({case.number}) is closed. Please rate the service.",
           link=_rate_link(case), case_number=case.number)
    audit.record(actor=None, action="feedback.rating.invited", target=invitation, after={"case": case.number})
    return invitation


@transaction.atomic
def remind_unrated(now: dt.datetime | None = None) -> int:
    """Remind once, 3 days after the invitation, whoever has not rated yet."""
    now = now or timezone.now()
    due = list(RatingInvitation.objects.select_for_update(skip_locked=True, of=("self",))
               .filter(reminded_at__isnull=True, invited_at__lte=now - dt.timedelta(days=rules.REMIND_AFTER_DAYS))
               .select_related("case", "recipient"))
    sent = 0
    for invitation in due:
        invitation.reminded_at = now
        invitation.save(update_fields=["reminded_at"])
        case = invitation.case
        if Rating.objects.filter(case=case, stage=invitation.stage).exists():
            continue
        notify(recipient=invitation.recipient, kind="feedback.rating_reminder",
               subject_zh=f"提醒：办件 {case.number} 尚未评价", subject_en=f"Reminder: case {case.number} is not rated yet",
               body_zh=f"您的办件“{case.item_name}”（{case.number}）已办结，尚未评价。欢迎进行“好差评”。",
               body_en=f"Your case “{case.item_name}” ({case.number}) is closed and not yet rated.",
               link=_rate_link(case), case_number=case.number)
        audit.record(actor=None, action="feedback.rating.reminded", target=invitation)
        sent += 1
    return sent


# --- consultations (我要问) ----------------------------------------------------------------------

_PERSONAL = [re.compile(p) for p in (r"(?<!\d)1[3-9]\d{9}(?!\d)", r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])",
                                     r"[\w.+-]+@[\w-]+\.[\w.-]+")]


def has_personal_data(text: str) -> bool:
    """A mobile number, a resident ID number or an e-mail address in ``text``."""
    return any(p.search(text or "") for p in _PERSONAL)


@transaction.atomic
def consultation_ask(*, actor, item_code: str, question: str) -> Consultation:
    """Ask the organ of a published item (logged-in users). Due in ``rules.CONSULTATION_DAYS``
    working days. Audit: feedback.consultation.asked."""

    if not getattr(actor, "pk", None):
        raise DomainError.single("feedback.consultation.login", "请先登录", "log in first")
    problems = _text(question, "question", "feedback.consultation.question", "请填写问题", "write your question")
    item = None
    try:
        item = published_version(item_code or "").item
    except (NotFound, ImplementationItem.DoesNotExist, ValueError):
        problems.append(_problem("feedback.consultation.item", "事项不存在或未公布", "no such published item",
                                 "item_code"))
    _raise(problems)
    today = _today()
    consultation = Consultation.objects.create(
        item=item, organ=item.organ, asker=actor, question=question.strip(), asked_at=timezone.now(),
        due_date=add_working_days(today, rules.CONSULTATION_DAYS))
    audit.record(actor=actor, action="feedback.consultation.asked", target=consultation,
                 after={"item": item.code, "due": consultation.due_date})
    return consultation


@transaction.atomic
def consultation_answer(*, actor, consultation: Consultation, answer: str) -> Consultation:
    """The item's organ answers; the asker is told. Audit: feedback.consultation.answered."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    _ensure_staff(actor, consultation.organ_id, FEEDBACK_HANDLE)
    if consultation.state != Consultation.State.OPEN:
        raise Conflict.single("feedback.consultation.answered", "该咨询已答复", "already answered", "")
    _raise(_text(answer, "answer", "feedback.consultation.answer", "请填写答复", "write the answer", limit=5000))
    consultation.state, consultation.answer = Consultation.State.ANSWERED, answer.strip()
    consultation.answered_by, consultation.answered_at = actor, timezone.now()
    consultation.save()
    notify(recipient=consultation.asker, kind="feedback.consultation_answered",
           subject_zh="您的咨询已答复", subject_en="Your question has been answered",
           body_zh=consultation.answer, body_en=consultation.answer, link=f"/feedback/consultations/{consultation.pk}/")
    audit.record(actor=actor, action="feedback.consultation.answered", target=consultation)
    return consultation


@transaction.atomic
def consultation_publish(*, actor, consultation: Consultation, question: str = "", answer: str = "") -> Consultation:
    """Publish an answered question as a FAQ entry of the item's guide, without personal data: the
    texts as given (default: the original ones) must hold no phone, ID number or e-mail address;
    the asker is never shown. Audit: feedback.consultation.published."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    _ensure_staff(actor, consultation.organ_id, FEEDBACK_HANDLE)
    if consultation.state != Consultation.State.ANSWERED:
        raise Conflict.single("feedback.consultation.not_answered", "请先答复再公开", "answer before publishing", "")
    question = (question or consultation.question).strip()
    answer = (answer or consultation.answer).strip()
    problems = []
    for field, text in (("question", question), ("answer", answer)):
        if has_personal_data(text):
            problems.append(_problem("feedback.consultation.personal_data",
                                     "公开内容含有手机号、身份证号或电子邮箱，请删除后再公开",
                                     "the text holds a phone number, ID number or e-mail address: remove it", field))
    _raise(problems)
    consultation.public_question, consultation.public_answer = question, answer
    consultation.published_at = timezone.now()
    consultation.save()
    audit.record(actor=actor, action="feedback.consultation.published", target=consultation)
    return consultation


# --- complaints (投诉) ---------------------------------------------------------------------------


@transaction.atomic
def complaint_file(*, actor, subject: str, content: str, case_number: str = "", item_code: str = "",
                   about: str = "") -> Complaint:
    """File a complaint about a case (one the complainant may see), an item, a window (of a case)
    or the platform. It reaches the organ concerned and its supervisors (the platform's: the
    supervisors), on a working-day clock. Audit: feedback.complaint.filed; event feedback.complaint_filed."""

    if not getattr(actor, "pk", None):
        raise DomainError.single("feedback.complaint.login", "请先登录", "log in first")
    problems = (_text(subject, "subject", "feedback.complaint.subject", "请填写投诉主题", "give a subject", limit=200)
                + _text(content, "content", "feedback.complaint.content", "请填写投诉内容", "describe the complaint",
                        limit=5000))
    case = item = organ = None
    if case_number:
        case = Case.objects.filter(number=case_number).select_related("organ").first()
        if case is None or not may_read(actor, case):
            problems.append(_problem("feedback.complaint.case", "办件不存在", "no such case", "case_number"))
        else:
            organ, item = case.organ, case.item
    elif item_code:
        try:
            item = published_version(item_code).item
            organ = item.organ
        except (NotFound, ImplementationItem.DoesNotExist, ValueError):
            problems.append(_problem("feedback.complaint.item", "事项不存在", "no such item", "item_code"))
    about = about or (Complaint.About.CASE if case_number else Complaint.About.ITEM if item_code
                      else Complaint.About.PLATFORM)
    if about not in Complaint.About.values:
        problems.append(_problem("feedback.complaint.about", "投诉对象无效", "unknown subject kind", "about"))
    elif about == Complaint.About.WINDOW and not case_number:
        problems.append(_problem("feedback.complaint.window_case", "投诉窗口请填写办件编号",
                                 "a complaint about a window names the case", "case_number"))
    _raise(problems)
    complaint = Complaint.objects.create(
        complainant=actor, about=about, subject=subject.strip(), content=content.strip(), case=case, item=item,
        organ=organ, submitted_at=timezone.now(), due_date=add_working_days(_today(), rules.COMPLAINT_DAYS))
    audit.record(actor=actor, action="feedback.complaint.filed", target=complaint,
                 after={"about": about, "case": case_number or "", "due": complaint.due_date})
    events.record("feedback.complaint_filed", {"complaint_id": complaint.pk, "organ_id": organ.pk if organ else None,
                                               "case_id": case.pk if case else None})
    return complaint


def complaint_scope_ok(actor, complaint: Complaint, permission: str) -> bool:
    """The organ's staff holding ``permission``, or a supervisor of the organ (platform complaints:
    any supervisor)."""
    supervised = organ_ids(actor, FEEDBACK_SUPERVISE)
    if complaint.organ_id is None:
        return bool(supervised)
    return complaint.organ_id in organ_ids(actor, permission) or complaint.organ_id in supervised


def _lock_complaint(actor, complaint: Complaint) -> Complaint:
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if not complaint_scope_ok(actor, complaint, FEEDBACK_HANDLE):
        if complaint_scope_ok(actor, complaint, FEEDBACK_VIEW):
            raise DomainError.single("feedback.forbidden", "您没有办理此项操作的权限", "you may not take this action")
        raise NotFound(str(complaint.pk))
    return complaint


@transaction.atomic
def complaint_acknowledge(*, actor, complaint: Complaint, note: str = "") -> Complaint:
    """受理: the complaint is taken up. Audit: feedback.complaint.acknowledged."""
    complaint = _lock_complaint(actor, complaint)
    if complaint.state != Complaint.State.SUBMITTED:
        raise Conflict.single("feedback.complaint.state", "该投诉已受理", "already acknowledged", "")
    complaint.state, complaint.acknowledged_at, complaint.acknowledged_by = (
        Complaint.State.ACKNOWLEDGED, timezone.now(), actor)
    complaint.handling = (note or "").strip()
    complaint.save()
    notify(recipient=complaint.complainant, kind="feedback.complaint_acknowledged",
           subject_zh="您的投诉已受理", subject_en="Your complaint has been taken up",
           body_zh=f"投诉“{complaint.subject}”已受理，答复期限：{complaint.due_date or '待定'}。",
           body_en=f"Complaint “{complaint.subject}” taken up; reply due {complaint.due_date or 'unknown'}.",
           link=f"/feedback/complaints/{complaint.pk}/")
    audit.record(actor=actor, action="feedback.complaint.acknowledged", target=complaint)
    return complaint


@transaction.atomic
def complaint_reply(*, actor, complaint: Complaint, reply: str, handling: str = "") -> Complaint:
    """答复: how it was handled, told to the complainant. Audit: feedback.complaint.replied."""
    complaint = _lock_complaint(actor, complaint)
    if complaint.state == Complaint.State.REPLIED:
        raise Conflict.single("feedback.complaint.replied", "该投诉已答复", "already replied", "")
    problems = _text(reply, "reply", "feedback.complaint.reply", "请填写答复内容", "write the reply", limit=5000)
    if complaint.state == Complaint.State.SUBMITTED:
        problems.append(_problem("feedback.complaint.not_acknowledged", "请先受理投诉", "acknowledge it first"))
    _raise(problems)
    complaint.state, complaint.reply, complaint.replied_at, complaint.replied_by = (
        Complaint.State.REPLIED, reply.strip(), timezone.now(), actor)
    if handling.strip():
        complaint.handling = handling.strip()
    complaint.save()
    notify(recipient=complaint.complainant, kind="feedback.complaint_replied",
           subject_zh="您的投诉已答复", subject_en="Your complaint has been answered",
           body_zh=f"{complaint.reply}\n\n欢迎对答复进行评价。", body_en=f"{complaint.reply}\n\nPlease rate the reply.",
           link=f"/feedback/complaints/{complaint.pk}/")
    audit.record(actor=actor, action="feedback.complaint.replied", target=complaint)
    return complaint


@transaction.atomic
def complaint_rate(*, actor, complaint: Complaint, score: int, comment: str = "") -> Complaint:
    """The complainant rates the reply (1-5), once. Audit: feedback.complaint.rated."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if getattr(actor, "pk", None) != complaint.complainant_id:
        raise NotFound(str(complaint.pk))
    if complaint.state != Complaint.State.REPLIED or complaint.rated_at:
        raise Conflict.single("feedback.complaint.not_rateable", "当前不能评价（尚未答复或已评价）",
                              "nothing to rate now (not replied yet, or rated already)", "")
    problems = _text(comment, "comment", "feedback.complaint.comment", "", "", required=False)
    if not isinstance(score, int) or isinstance(score, bool) or score not in rules.LEVELS:
        problems.append(_problem("feedback.complaint.score", "评价等级须为 1 至 5", "the score is 1 to 5", "score"))
    _raise(problems)
    complaint.reply_score, complaint.reply_comment, complaint.rated_at = score, (comment or "").strip(), timezone.now()
    complaint.save()
    audit.record(actor=actor, action="feedback.complaint.rated", target=complaint, after={"score": score})
    return complaint
