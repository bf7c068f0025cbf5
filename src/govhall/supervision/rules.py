"""The supervision rules (监察规则) as pure evaluators over facts.

A rule's *data* (code, type, severity, text, legal basis, parameters, version, where it is enabled)
lives in the database (``models.Rule``); the *condition* is one function here, named by the rule's
``evaluator``. An evaluator takes facts (``CaseFacts`` or ``ItemFacts``, plain values built by
``facts.py``), the rule's parameters, the working-day calendar and the day of evaluation, and
returns a ``Finding`` or None. Evaluators never touch the database, so a scan over a million cases
and the evaluation of one event run the same code, and a test gives facts directly.

A finding carries an ``occurrence`` key: the same rule firing again for the same case and the same
occurrence (the same due date, the same step…) is the same violation, never a second warning
(``services.raise_findings``).

Working days follow ``core.calendar`` (Art. 82 of the Administrative Licensing Law). A fact that
needs a year whose official calendar is not entered makes the rule stay silent for that case:
supervision never guesses a holiday schedule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from govhall.core.calendar import CalendarYearUnknown, WorkCalendar

# --- rule types and levels ------------------------------------------------------------------------

TIMELINESS, LEGALITY, REGULARITY, COMPLETENESS = "timeliness", "legality", "regularity", "completeness"
KIND_ZH = {TIMELINESS: "时效", LEGALITY: "合法性", REGULARITY: "规范性", COMPLETENESS: "公开完整性"}
NOTICE, YELLOW, RED = "notice", "yellow", "red"
LEVEL_ZH = {NOTICE: "提示", YELLOW: "黄牌", RED: "红牌"}
LEVEL_RANK = {NOTICE: 0, YELLOW: 1, RED: 2}

# phrases that are not reasons: a refusal that says only this has no reasons (DOMAIN.md §9: users
# complain of refusals that say only "not compliant")
STOCK_PHRASES = frozenset({"不符合条件", "不符合要求", "不符合规定", "不符合", "不予受理", "不予许可", "不同意",
                           "材料不全", "无", "略", "not compliant", "denied", "refused", "none", "n/a"})


@dataclass(frozen=True)
class StepFacts:
    pk: int
    name: str
    kind: str
    started_on: dt.date | None
    finished_on: dt.date | None
    limit_days: int | None  # the guide's time limit of this step (working days), None: no limit


@dataclass(frozen=True)
class PauseFacts:
    started_on: dt.date
    ended_on: dt.date | None


@dataclass(frozen=True)
class CaseFacts:
    """What supervision knows of a case. Dates are local dates; None: not (yet) happened."""

    case_id: int
    number: str
    organ_id: int
    item_id: int
    region_code: str
    state: str
    channel: str
    is_immediate: bool = False
    received_on: dt.date | None = None
    last_received_on: dt.date | None = None
    acceptance_due: dt.date | None = None
    accepted_on: dt.date | None = None
    acceptance_deemed: bool = False
    acceptance_notice: str = ""
    clock_start: dt.date | None = None
    promised_days: int | None = None
    due_date: dt.date | None = None
    legal_due_date: dt.date | None = None
    closed_on: dt.date | None = None
    result_code: str = ""
    assignee_id: int | None = None
    # decision (准予/不予) and refusal to accept (不予受理)
    decided_on: dt.date | None = None
    decided_at: dt.datetime | None = None
    received_at: dt.datetime | None = None
    decision_outcome: str = ""
    decision_reasons: str = ""
    decision_legal_basis: str = ""
    refused_on: dt.date | None = None
    refusal_reason: str | None = None  # None: the case was not refused
    refusal_legal_basis: str | None = None
    # correction notices (一次性告知) and Art. 8
    correction_notices: int = 0
    correction_issued_on: dt.date | None = None
    correction_fetchable_items: tuple[str, ...] = ()  # names of fetchable materials asked for
    fetchable_requests: tuple[str, ...] = ()  # refused attempts recorded by sharing (Art. 8)
    # fees
    fee_charged_in_catalogue: bool = False
    catalogue_fee_fen: int | None = None  # None: the catalogue's standard is not a plain amount
    charged_fen: int | None = None  # None: no payment order
    # handling on the platform
    steps: tuple[StepFacts, ...] = ()
    guide_has_steps: bool = False
    pauses: tuple[PauseFacts, ...] = ()


@dataclass(frozen=True)
class ItemFacts:
    """A published item version, for the completeness rule."""

    item_id: int
    version_id: int
    organ_id: int
    region_code: str
    name: str
    completeness: str
    effective_from: dt.date | None
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    rule: str
    subject: str  # "case:<id>" or "item:<id>"
    occurrence: str
    facts: dict
    message_zh: str
    message_en: str
    level: str | None = None  # overrides the rule's severity (one rule with two levels)


@dataclass(frozen=True)
class RuleDef:
    """A starter rule: the data written to the catalogue the first time (``services.sync_catalogue``)."""

    code: str
    kind: str
    severity: str
    evaluator: str
    subject: str  # "case" or "item"
    title_zh: str
    title_en: str
    description_zh: str
    legal_basis: str
    params: dict = field(default_factory=dict)


def _iso(d) -> str | None:
    return d.isoformat() if d else None


def _wd(cal: WorkCalendar, a: dt.date, b: dt.date) -> int | None:
    try:
        return cal.working_days_between(a, b)
    except CalendarYearUnknown:
        return None


def _paused_between(cal: WorkCalendar, pauses, a: dt.date, b: dt.date) -> int:
    """Working days in (a, b] during which a special procedure stopped the clock (Art. 45)."""
    total = 0
    for p in pauses:
        start, end = max(p.started_on, a), min(p.ended_on or b, b)
        if end > start:
            total += _wd(cal, start, end) or 0
    return total


def case_subject(f: CaseFacts) -> str:
    return f"case:{f.case_id}"


OPEN = {"submitted", "correction", "in_progress", "suspended", "decided"}


def _finished_on(f: CaseFacts) -> dt.date | None:
    """The day the organ finished its part: the decision (the promised limit runs to it). A case that
    ended without a decision (withdrawn, not accepted) is measured only while it was open."""
    return f.decided_on


# --- evaluators -----------------------------------------------------------------------------------


def deadline_near(f: CaseFacts, p: dict, cal: WorkCalendar, today: dt.date) -> Finding | None:
    """One working day (``days_before``) before the promised deadline, while the organ has not decided."""
    if f.state not in {"in_progress", "suspended"} or f.due_date is None or f.decided_on:
        return None
    left = _wd(cal, today, f.due_date)
    if left is None or not 0 <= left <= int(p.get("days_before", 1)):
        return None
    return Finding("", case_subject(f), f"due:{f.due_date}", {"due_date": _iso(f.due_date), "left": left},
                   f"办件 {f.number} 距承诺办结日期 {f.due_date} 还剩 {left} 个工作日",
                   f"case {f.number}: {left} working day(s) left to the promised date {f.due_date}")


def step_over_limit(f: CaseFacts, p: dict, cal: WorkCalendar, today: dt.date) -> Finding | None:
    """A step that took (or is taking) more working days than its own limit in the guide, whether or
    not the whole case is within its limit. Days of a special procedure do not count."""
    over = []
    for s in f.steps:
        if not s.limit_days or s.started_on is None:
            continue
        end = s.finished_on or (today if f.state in OPEN else None)
        if end is None:
            continue
        used = _wd(cal, s.started_on, end)
        if used is None:
            continue
        used -= _paused_between(cal, f.pauses, s.started_on, end)
        if used > s.limit_days:
            over.append({"step": s.pk, "name": s.name, "limit": s.limit_days, "used": used,
                         "finished": s.finished_on is not None})
    if not over:
        return None
    names = "、".join(o["name"] for o in over)
    return Finding("", case_subject(f), "steps:" + ",".join(str(o["step"]) for o in over), {"steps": over},
                   f"办件 {f.number} 的环节“{names}”超过该环节时限",
                   f"case {f.number}: step(s) {', '.join(o['name'] for o in over)} over their own limit")


def _limit_exceeded(f: CaseFacts, due: dt.date | None, today: dt.date, cal, label_zh, label_en, tag):
    if due is None or f.clock_start is None:
        return None
    finished = _finished_on(f)
    if f.state not in OPEN and finished is None:
        return None  # withdrawn, refused… without a decision: nothing to measure
    end = finished or today
    if end <= due:
        return None
    late = _wd(cal, due, end)
    if late is None or late <= 0:
        return None
    return Finding("", case_subject(f), f"{tag}:{due}",
                   {"due": _iso(due), "finished": _iso(finished), "late_working_days": late, "state": f.state},
                   f"办件 {f.number} 超过{label_zh}（{due}）{late} 个工作日",
                   f"case {f.number}: {late} working day(s) past the {label_en} ({due})")


def promised_exceeded(f: CaseFacts, p: dict, cal: WorkCalendar, today: dt.date) -> Finding | None:
    return _limit_exceeded(f, f.due_date, today, cal, "承诺时限", "promised limit", "due")


def legal_exceeded(f: CaseFacts, p: dict, cal: WorkCalendar, today: dt.date) -> Finding | None:
    return _limit_exceeded(f, f.legal_due_date, today, cal, "法定时限", "legal limit", "legal")


def acceptance_late(f: CaseFacts, p: dict, cal: WorkCalendar, today: dt.date) -> Finding | None:
    """Art. 32: no acceptance, refusal or correction notice within 5 working days of receipt (the
    application then counts as accepted from the day of receipt)."""
    due = f.acceptance_due
    if due is None:
        return None
    acted = min((d for d in (f.accepted_on, f.refused_on) if d), default=None)
    if f.acceptance_deemed:
        late = True
    elif acted is not None:
        late = acted > due
    elif f.state == "submitted":
        late = today > due
    else:
        late = False
    if not late:
        return None
    return Finding("", case_subject(f), f"acceptance:{due}",
                   {"received": _iso(f.last_received_on), "acceptance_due": _iso(due), "acted": _iso(acted),
                    "deemed": f.acceptance_deemed},
                   f"办件 {f.number} 未在收到材料后 5 个工作日内（{due}）作出受理决定或一次性告知补正",
                   f"case {f.number}: no acceptance decision or correction notice within 5 working days ({due})")


def _blank_reason(text: str | None) -> bool:
    t = (text or "").strip().rstrip("。.!！").strip()
    return not t or t.lower() in STOCK_PHRASES


def refusal_without_reasons(f: CaseFacts, p: dict, cal: WorkCalendar, today: dt.date) -> Finding | None:
    """A refusal to accept or a denial without reasons or legal basis (a stock phrase is no reason)."""
    problems = []
    if f.refusal_reason is not None:
        if _blank_reason(f.refusal_reason):
            problems.append("refusal_reason")
        if not (f.refusal_legal_basis or "").strip():
            problems.append("refusal_legal_basis")
    if f.decision_outcome == "deny":
        if _blank_reason(f.decision_reasons):
            problems.append("decision_reasons")
        if not (f.decision_legal_basis or "").strip():
            problems.append("decision_legal_basis")
    if not problems:
        return None
    return Finding("", case_subject(f), "refusal", {"missing": problems},
                   f"办件 {f.number} 的不予受理或不予许可未写明理由或法律依据",
                   f"case {f.number}: refusal or denial without reasons or legal basis")


def correction_abuse(f: CaseFacts, p: dict, cal: WorkCalendar, today: dt.date) -> Finding | None:
    """More than one correction notice (yellow), or a correction notice asking for a material the
    organ fetches itself, or an attempt to (Art. 8, red)."""
    fetchable = sorted(set(f.correction_fetchable_items) | set(f.fetchable_requests))
    if fetchable:
        return Finding("", case_subject(f), "fetchable:" + "|".join(fetchable),
                       {"fetchable": fetchable, "notices": f.correction_notices},
                       f"办件 {f.number} 要求申请人提供可共享获取的材料：{'、'.join(fetchable)}（第八条）",
                       f"case {f.number}: the applicant was asked for fetchable material(s) (Art. 8)", level=RED)
    if f.correction_notices > 1:
        return Finding("", case_subject(f), f"notices:{f.correction_notices}", {"notices": f.correction_notices},
                       f"办件 {f.number} 发出 {f.correction_notices} 次补正告知，未一次性告知",
                       f"case {f.number}: {f.correction_notices} correction notices instead of one", level=YELLOW)
    return None


def fee_mismatch(f: CaseFacts, p: dict, cal: WorkCalendar, today: dt.date) -> Finding | None:
    """A fee charged where the catalogue charges none, or differing from the catalogue's fee."""
    if f.charged_fen is None or f.charged_fen == 0 and not f.fee_charged_in_catalogue:
        return None
    if not f.fee_charged_in_catalogue:
        expected = 0
    elif f.catalogue_fee_fen is None:
        return None  # the standard needs a person to read it: not checked automatically
    else:
        expected = f.catalogue_fee_fen
    if f.charged_fen == expected:
        return None
    return Finding("", case_subject(f), f"fee:{f.charged_fen}", {"charged_fen": f.charged_fen, "catalogue_fen": expected},
                   f"办件 {f.number} 收费 {f.charged_fen / 100:.2f} 元，与目录收费标准 {expected / 100:.2f} 元不符",
                   f"case {f.number}: charged {f.charged_fen / 100:.2f} yuan, catalogue {expected / 100:.2f} yuan")


def off_platform(f: CaseFacts, p: dict, cal: WorkCalendar, today: dt.date) -> Finding | None:
    """体外循环 heuristic: a decision with no online acceptance record, a decision dated before the
    application was received, or a decision with none of the guide's handling steps done online."""
    if not f.decided_on:
        return None
    signs = []
    if not f.accepted_on or not f.acceptance_notice:
        signs.append("no_acceptance_record")
    if f.decided_at and f.received_at and f.decided_at < f.received_at:
        signs.append("decided_before_received")
    if not f.is_immediate and f.guide_has_steps and not any(s.finished_on for s in f.steps if s.kind != "joint"):
        signs.append("no_step_done_online")
    if not signs:
        return None
    return Finding("", case_subject(f), "decision", {"signs": signs},
                   f"办件 {f.number} 有决定但无网上受理或办理记录（疑似体外循环）",
                   f"case {f.number}: decided without an online acceptance or handling record (possibly off-platform)")


def listed_overdue(f: ItemFacts, p: dict, cal: WorkCalendar, today: dt.date) -> Finding | None:
    """An item published with an incomplete guide (listed) longer than ``complete_within_days``."""
    if f.completeness != "listed" or f.effective_from is None:
        return None
    days = int(p.get("complete_within_days", 20))
    try:
        deadline = cal.add_working_days(f.effective_from, days)
    except CalendarYearUnknown:
        return None
    if today <= deadline:
        return None
    return Finding("", f"item:{f.item_id}", f"version:{f.version_id}",
                   {"version": f.version_id, "listed_since": _iso(f.effective_from), "deadline": _iso(deadline),
                    "missing": list(f.missing)},
                   f"事项“{f.name}”办事指南不完整，已超过补全期限 {deadline}",
                   f"item “{f.name}”: guide still incomplete after its deadline {deadline}")


EVALUATORS: dict[str, Callable] = {
    "deadline_near": deadline_near, "step_over_limit": step_over_limit, "promised_exceeded": promised_exceeded,
    "legal_exceeded": legal_exceeded, "acceptance_late": acceptance_late,
    "refusal_without_reasons": refusal_without_reasons, "correction_abuse": correction_abuse,
    "fee_mismatch": fee_mismatch, "off_platform": off_platform, "listed_overdue": listed_overdue,
}

ALL = "行政许可法"
STARTER_RULES: tuple[RuleDef, ...] = (
    RuleDef("T01", TIMELINESS, NOTICE, "deadline_near", "case", "临近承诺办结期限", "promised deadline near",
            "承诺办结日期前 1 个工作日提醒承办人员。",
            "《安徽省网上政务服务办法》第十四条（按承诺时限办结）；各地电子监察规则（到期前一个工作日提醒）",
            {"days_before": 1}),
    RuleDef("T02", TIMELINESS, YELLOW, "step_over_limit", "case", "环节超时", "step over its limit",
            "单个办理环节超过办事指南规定的环节时限，即使整个办件仍在时限内。",
            "《安徽省网上政务服务办法》第十四条、第十七条；各地电子监察规则（单一环节超时）"),
    RuleDef("T03", TIMELINESS, YELLOW, "promised_exceeded", "case", "超过承诺时限", "promised limit exceeded",
            "办件超过承诺办结日期（特别程序时间不计，经批准的延期计入）仍未作出决定或晚于该日期作出决定。",
            "《安徽省网上政务服务办法》第十四条、第十八条"),
    RuleDef("T04", TIMELINESS, RED, "legal_exceeded", "case", "超过法定时限", "legal limit exceeded",
            "办件超过法定办结期限（《行政许可法》第四十二条 20 个工作日，联办 45 个工作日，经批准可延长）。",
            f"《{ALL}》第四十二条、第四十五条、第八十二条"),
    RuleDef("T05", TIMELINESS, RED, "acceptance_late", "case", "逾期未作受理决定", "acceptance decision late",
            "收到申请材料后 5 个工作日内未受理、不予受理或一次性告知补正（依法自收到材料之日起视为受理）。",
            f"《{ALL}》第三十二条"),
    RuleDef("L01", LEGALITY, RED, "refusal_without_reasons", "case", "不予受理或不予许可未说明理由",
            "refusal without reasons", "不予受理、不予许可决定未写明理由或法律依据（套话不视为理由）。",
            f"《{ALL}》第三十二条、第三十八条第二款"),
    RuleDef("L02", LEGALITY, RED, "correction_abuse", "case", "违规要求补正", "improper correction request",
            "多次补正告知（黄牌），或要求申请人提供可通过数据共享获取的材料（红牌）。",
            f"《{ALL}》第三十二条（一次告知）；《安徽省网上政务服务办法》第八条"),
    RuleDef("L03", LEGALITY, RED, "fee_mismatch", "case", "违规收费", "fee differs from the catalogue",
            "收取的费用与事项目录的收费标准不符，或目录未规定收费却收费。",
            f"《{ALL}》第五十八条、第五十九条；电子监察规则（擅自收费、超标准收费）"),
    RuleDef("R01", REGULARITY, YELLOW, "off_platform", "case", "疑似体外循环", "possibly handled off-platform",
            "有办理决定但没有网上受理记录，或决定早于收件，或无任何网上办理环节记录。",
            "《安徽省网上政务服务办法》第六条、第十八条（未网上办理）"),
    RuleDef("C01", COMPLETENESS, NOTICE, "listed_overdue", "item", "办事指南逾期未补全",
            "guide incomplete past its deadline",
            "事项以“列入清单”方式公布（办事指南不完整）超过补全期限（默认 20 个工作日，可配置），提醒目录管理员。",
            "《安徽省网上政务服务办法》第五条、第六条；国办函〔2016〕108号（公开信息完整性）",
            {"complete_within_days": 20}),
)
STARTER_BY_CODE = {r.code: r for r in STARTER_RULES}


def evaluate(rule_code: str, evaluator: str, params: dict, facts, cal: WorkCalendar, today: dt.date) -> Finding | None:
    """Run one rule over one fact set; the finding carries the rule's code."""
    found = EVALUATORS[evaluator](facts, params or {}, cal, today)
    if found is None:
        return None
    return Finding(rule_code, found.subject, found.occurrence, found.facts, found.message_zh, found.message_en,
                   found.level)
