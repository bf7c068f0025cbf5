"""Supervision services: the rule catalogue, evaluation (per event and full scan), warnings and their
workflow. Every state change is one function, in one transaction, audited.

Workflow of a warning::

    open ──acknowledge──▶ acknowledged ──explain──▶ explained ──rectify──▶ rectified ──close──▶ closed
      └──────────── escalate (supervisor, or by itself when rectification is overdue) ──▶ escalated

The organ (staff with ``supervision.warning.respond`` in the warning's organ) acknowledges, explains
and rectifies; the supervisor (``supervision.warning.decide`` in a region containing the organ)
closes or escalates. A yellow or red warning not rectified by ``rectify_due`` escalates by itself
(``escalate_overdue``, run by the scan): the organ's head and the supervisors are told, and the
organ gets a new rectification period. Notices (提示) are reminders: they have no rectification
period and close by themselves once their condition no longer holds.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from govhall.cases.models import OPEN_STATES, Case
from govhall.catalog.models import Organ
from govhall.catalog.scope import organs_q
from govhall.core import audit
from govhall.core.calendar import CalendarYearUnknown
from govhall.core.calendar_store import get_calendar
from govhall.core.errors import DomainError, NotFound, Problem
from govhall.identity.models import StaffRole, User
from govhall.identity.roles import ROLE_PERMISSIONS, Role
from govhall.notifications.services import notify

from . import rules as R
from .facts import CASE_FIELDS, FactLoader, item_facts
from .models import (
    OPEN_WARNING_STATES,
    Level,
    Rule,
    RuleRegion,
    RuleVersion,
    ScanRun,
    Warning,
    WarningState,
    WarningTransition,
)
from .permissions import WARNING_DECIDE, WARNING_RESPOND

log = logging.getLogger(__name__)
S = WarningState
CHUNK = 5000


def _today() -> dt.date:
    return timezone.localdate()


def _label(user) -> str:
    return user.get_username() if getattr(user, "pk", None) else "system"


def rectify_days(level: str) -> int | None:
    days = {"yellow": 10, "red": 5} | dict(getattr(settings, "GOVHALL_SUPERVISION_RECTIFY_DAYS", {}))
    return days.get(level)


# --- the rule catalogue ---------------------------------------------------------------------------


def sync_catalogue() -> int:
    """Write the starter rules that are not in the catalogue yet (version 1). Existing rules are
    never overwritten: changes go through ``rule_update``. Returns how many were added."""
    existing = set(Rule.objects.values_list("code", flat=True))
    added = 0
    for d in R.STARTER_RULES:
        if d.code in existing:
            continue
        with transaction.atomic():
            rule, created = Rule.objects.get_or_create(code=d.code, defaults=dict(
                kind=d.kind, severity=d.severity, evaluator=d.evaluator, subject=d.subject, title_zh=d.title_zh,
                title_en=d.title_en, description_zh=d.description_zh, legal_basis=d.legal_basis, params=d.params))
            if created:
                invalidate_rules()
                _snapshot(rule, None, "初始规则 starter rule")
                audit.record(actor=None, action="supervision.rule.created", target=rule,
                             after={"code": rule.code, "severity": rule.severity, "version": 1})
                added += 1
    return added


def _snapshot(rule: Rule, actor, reason: str) -> RuleVersion:
    return RuleVersion.objects.create(rule=rule, number=rule.version, severity=rule.severity, title_zh=rule.title_zh,
                                      description_zh=rule.description_zh, legal_basis=rule.legal_basis,
                                      params=rule.params, enabled=rule.enabled,
                                      created_by=actor if getattr(actor, "pk", None) else None, reason=reason)


def _ensure_supervisor(actor, organ: Organ | None = None) -> None:
    if actor is None:
        return
    qs = Organ.objects.filter(organs_q(actor, roles=roles_with(WARNING_DECIDE)))
    if organ is not None:
        qs = qs.filter(pk=organ.pk)
    if not qs.exists():
        raise NotFound("not in the supervisor's scope")


@transaction.atomic
def rule_update(*, actor, rule: Rule, reason: str, **changes) -> Rule:
    """Change a rule's severity, texts, parameters or default switch: a new version. Audited."""
    _ensure_supervisor(actor)
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    allowed = {"severity", "title_zh", "title_en", "description_zh", "legal_basis", "params", "enabled"}
    problems = []
    unknown = set(changes) - allowed
    if unknown:
        problems.append(R_problem("supervision.rule.field", f"不能修改：{', '.join(sorted(unknown))}",
                                  f"cannot change: {', '.join(sorted(unknown))}", "changes"))
    if "severity" in changes and changes["severity"] not in Level.values:
        problems.append(R_problem("supervision.rule.severity", "级别无效", "unknown severity", "severity"))
    if not (reason or "").strip():
        problems.append(R_problem("supervision.rule.reason", "请填写修改理由", "give the reason", "reason"))
    if problems:
        raise DomainError(problems)
    before = {k: getattr(rule, k) for k in changes}
    for k, v in changes.items():
        setattr(rule, k, v)
    rule.version += 1
    rule.save()
    _snapshot(rule, actor, reason)
    audit.record(actor=actor, action="supervision.rule.updated", target=rule, before=before,
                 after={**changes, "version": rule.version}, reason=reason)
    transaction.on_commit(invalidate_rules)
    invalidate_rules()
    return rule


@transaction.atomic
def rule_set_region(*, actor, rule: Rule, region, enabled: bool) -> RuleRegion:
    """Switch a rule on or off for a region and everything below it (supervisor of that region). Audited."""
    if actor is not None:
        prefixes = [r.region.prefix for r in actor.staff_roles.filter(role=Role.SUPERVISOR, region__isnull=False)
                    .select_related("region")]
        if not any(region.code.startswith(p) for p in prefixes):
            raise NotFound("region not in the supervisor's scope")
    setting, _ = RuleRegion.objects.update_or_create(rule=rule, region=region, defaults={"enabled": enabled})
    audit.record(actor=actor, action="supervision.rule.region_set", target=rule,
                 after={"region": region.code, "enabled": enabled})
    transaction.on_commit(invalidate_rules)
    invalidate_rules()
    return setting


def R_problem(code, zh, en, field=""):  # noqa: N802

    return Problem(code, zh, en, field)


@dataclass
class ActiveRule:
    rule: Rule
    regions: list[tuple[str, bool]]  # (code prefix, enabled), most specific first

    def applies(self, region_code: str) -> bool:
        for prefix, enabled in self.regions:
            if region_code.startswith(prefix):
                return enabled
        return self.rule.enabled


_rules_cache: dict[str, tuple[tuple, list[ActiveRule]]] = {}


def invalidate_rules() -> None:
    _rules_cache.clear()


def _catalogue_fingerprint() -> tuple:
    """One cheap query that changes whenever a rule or a region switch changes (versions rise,
    rows are added, switches are written)."""
    from django.db.models import Count, Max, Sum

    rules = Rule.objects.aggregate(n=Count("pk"), top=Max("pk"), versions=Sum("version"), at=Max("updated_at"))
    regions = RuleRegion.objects.aggregate(n=Count("pk"), top=Max("pk"))
    return (*rules.values(), *regions.values())


def active_rules(subject: str = "case", fingerprint: tuple | None = None) -> list[ActiveRule]:
    """The enabled rules of the catalogue with their region switches, kept per process while the
    catalogue's fingerprint is unchanged."""
    fingerprint = fingerprint or _catalogue_fingerprint()
    cached = _rules_cache.get(subject)
    if cached and cached[0] == fingerprint and fingerprint[0]:
        return cached[1]
    rules = _load_rules(subject)
    _rules_cache[subject] = (_catalogue_fingerprint(), rules)
    return rules


def _load_rules(subject: str) -> list[ActiveRule]:
    sync_catalogue()
    settings_of: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    for s in RuleRegion.objects.select_related("region"):
        settings_of[s.rule_id].append((s.region.prefix, s.enabled))
    out = []
    for rule in Rule.objects.filter(subject=subject):
        if rule.evaluator not in R.EVALUATORS:
            continue
        regions = sorted(settings_of.get(rule.pk, []), key=lambda p: -len(p[0]))
        if rule.enabled or any(e for _, e in regions):
            out.append(ActiveRule(rule, regions))
    return out


# --- evaluation -----------------------------------------------------------------------------------


def roles_with(permission: str) -> list[str]:
    return [role for role, perms in ROLE_PERMISSIONS.items() if permission in perms]


@dataclass
class Outcome:
    cases: int = 0
    items: int = 0
    raised: list[int] = field(default_factory=list)
    closed: int = 0
    escalated: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"cases": self.cases, "items": self.items, "raised": len(self.raised), "closed": self.closed,
                "escalated": self.escalated, "seconds": round(self.seconds, 3)}


class Evaluator:
    """One evaluation run: rules, calendar and today fixed; facts loaded chunk by chunk."""

    def __init__(self, today: dt.date | None = None):
        self.today = today or _today()
        self.cal = get_calendar()
        fingerprint = _catalogue_fingerprint()
        self.case_rules = active_rules("case", fingerprint)
        self.item_rules = active_rules("item", fingerprint)
        self.loader = FactLoader()
        self.outcome = Outcome()
        self.now = timezone.now()
        try:
            self.due = {lvl: (self.cal.add_working_days(self.today, d) if d else None)
                        for lvl in Level.values for d in [rectify_days(lvl)]}
        except CalendarYearUnknown:
            self.due = dict.fromkeys(Level.values)
        self.notices: dict[int | None, list[Warning]] = defaultdict(list)

    def findings_for(self, facts, active: list[ActiveRule]) -> list[tuple[Rule, R.Finding]]:
        out = []
        for f in facts:
            for a in active:
                if not a.applies(f.region_code):
                    continue
                found = R.evaluate(a.rule.code, a.rule.evaluator, a.rule.params, f, self.cal, self.today)
                if found is not None:
                    out.append((a.rule, found))
        return out

    def cases(self, facts: list[R.CaseFacts], *, subjects: list[str] | None = None) -> None:
        self.outcome.cases += len(facts)
        by_subject = {R.case_subject(f): f for f in facts}
        self._apply(self.findings_for(facts, self.case_rules), subjects or list(by_subject), by_subject,
                    self.case_rules)

    def items(self, facts: list[R.ItemFacts]) -> None:
        self.outcome.items += len(facts)
        by_subject = {f"item:{f.item_id}": f for f in facts}
        self._apply(self.findings_for(facts, self.item_rules), list(by_subject), by_subject, self.item_rules)

    def _apply(self, found, subjects, facts_of, active) -> None:
        """Raise what is new, close reminders whose condition no longer holds; one query to read the
        warnings of the chunk, bulk inserts for the new ones."""
        rule_ids = [a.rule.pk for a in active]
        existing: dict[tuple[int, str], list[tuple]] = defaultdict(list)
        for row in (Warning.objects.filter(subject__in=subjects, rule_id__in=rule_ids)
                    .values_list("rule_id", "subject", "occurrence", "state", "pk")):
            existing[(row[0], row[1])].append(row)
        fired = set()
        new = []
        for rule, f in found:
            fired.add((rule.pk, f.subject))
            rows = existing.get((rule.pk, f.subject), [])
            if any(r[2] == f.occurrence for r in rows) or any(r[3] != S.CLOSED for r in rows):
                continue  # the same violation, or one still open for this rule and subject
            new.append(self._warning(rule, f, facts_of[f.subject]))
        # reminders (提示) close themselves when their condition is gone
        to_close = [r[4] for key, rows in existing.items() for r in rows
                    if r[3] == S.OPEN and key not in fired and _is_notice_rule(active, key[0])]
        if new or to_close:
            with transaction.atomic():
                made = self._insert(new)
                self.outcome.raised += [w.pk for w in made]
                if to_close:
                    self._close_cleared(to_close)

    def _warning(self, rule: Rule, f: R.Finding, facts) -> Warning:
        level = f.level or rule.severity
        case_id = getattr(facts, "case_id", None)
        return Warning(rule=rule, rule_version=rule.version, level=level, subject=f.subject, occurrence=f.occurrence[:200],
                       case_id=case_id, item_id=None if case_id else facts.item_id, organ_id=facts.organ_id,
                       region_code=facts.region_code, responsible_id=getattr(facts, "assignee_id", None),
                       facts={**f.facts, "number": getattr(facts, "number", ""), "evaluated_on": self.today.isoformat(),
                              "rule_version": rule.version},
                       message_zh=f.message_zh, message_en=f.message_en, raised_at=self.now,
                       rectify_due=self.due.get(level))

    def _insert(self, new: list[Warning]) -> list[Warning]:
        if not new:
            return []
        try:
            with transaction.atomic():
                made = Warning.objects.bulk_create(new)
                if made and made[0].pk is None:
                    made = list(Warning.objects.filter(subject__in=[w.subject for w in new], raised_at=self.now,
                                                       rule_id__in={w.rule_id for w in new}))
        except IntegrityError:  # a concurrent run raised some of them first: insert one by one
            made = []
            for w in new:
                try:
                    with transaction.atomic():
                        w.save()
                    made.append(w)
                except IntegrityError:
                    continue
        WarningTransition.objects.bulk_create(
            WarningTransition(warning=w, at=self.now, actor=None, actor_label="system", from_state="",
                              to_state=S.OPEN, text=w.message_zh) for w in made)
        audit.record_many(actor=None, events=[{
            "action": "supervision.warning.raised", "target_type": "supervision.warning", "target_id": str(w.pk),
            "target_label": f"{w.rule.code} {w.subject}",
            "after": {"rule": w.rule.code, "rule_version": w.rule_version, "level": w.level, "subject": w.subject,
                      "occurrence": w.occurrence}} for w in made])
        for w in made:
            self.notices[w.organ_id].append(w)
        return made

    def _close_cleared(self, ids: list[int]) -> None:
        rows = list(Warning.objects.select_for_update().filter(pk__in=ids, state=S.OPEN))
        for w in rows:
            _move(w, None, S.CLOSED, "条件已不成立，提醒自动关闭 / condition no longer holds")
        self.outcome.closed += len(rows)

    def finish(self) -> Outcome:
        if self.notices:
            with transaction.atomic():
                _notify_new(self.notices)
        return self.outcome


def _is_notice_rule(active: list[ActiveRule], rule_id: int) -> bool:
    return any(a.rule.pk == rule_id and a.rule.severity == Level.NOTICE for a in active)


def evaluate_cases(case_ids, *, today: dt.date | None = None) -> Outcome:
    """Evaluate every enabled rule over the given cases now (an event's case). Idempotent."""
    started = time.perf_counter()
    run = Evaluator(today)
    ids = list(case_ids)
    for i in range(0, len(ids), CHUNK):
        run.cases(run.loader.cases(ids[i:i + CHUNK]))
    out = run.finish()
    out.seconds = time.perf_counter() - started
    return out


def scan(*, today: dt.date | None = None, chunk: int = CHUNK, figures_too: bool = True, progress=None,
         full: bool = True) -> Outcome:
    """Evaluate the rules, escalate overdue rectifications, refresh the efficiency figures.
    Idempotent: a second scan raises nothing new.

    ``full`` (the command's default): every rule over every case (open and closed) and every
    published item, and every period's figures. Otherwise (the hourly job): the rules over the open
    cases and those closed since the last completed scan (the facts of a case closed before it no
    longer change), and the figures of the current and the previous quarter only (older periods hold
    closed cases only and keep their rows)."""
    from django.db.models import Q

    from . import figures

    started = time.perf_counter()
    since, first_day = None, None
    if not full:
        last_run = (ScanRun.objects.filter(kind="scan", finished_at__isnull=False).order_by("-started_at").first())
        if last_run is not None:
            since = last_run.started_at - dt.timedelta(hours=1)
    run_row = ScanRun.objects.create(started_at=timezone.now(), kind="scan" if full or since is None else "recent")
    run = Evaluator(today)
    qs = Case.objects.order_by("pk")
    if since is not None:
        first_day = figures.previous_quarter_start(run.today)
        qs = qs.filter(Q(state__in=OPEN_STATES) | Q(closed_at__gte=since) | Q(received_at__date__gte=first_day)
                       | Q(accepted_on__gte=first_day) | Q(closed_at__date__gte=first_day))
    acc = figures.Accumulator(run.cal, first_day=first_day) if figures_too else None
    since_day = timezone.localtime(since).date() if since is not None else None
    last = 0
    while True:
        rows = list(qs.filter(pk__gt=last).values_list(*CASE_FIELDS)[:chunk])
        if not rows:
            break
        last = rows[-1][0]
        facts = run.loader.build(rows)
        if since_day is None:
            run.cases(facts)
        else:
            run.cases([f for f in facts if f.state in R.OPEN or (f.closed_on and f.closed_on >= since_day)])
        if acc is not None:
            acc.add_cases(facts)
        if progress:
            progress(run.outcome.cases)
    run.items(item_facts(run.today))
    out = run.finish()
    out.escalated = escalate_overdue(today=run.today)
    if acc is not None:
        figures.refresh(acc, today=run.today)
    out.seconds = time.perf_counter() - started
    ScanRun.objects.filter(pk=run_row.pk).update(finished_at=timezone.now(), cases=out.cases, items=out.items,
                                                 raised=len(out.raised), escalated=out.escalated, closed=out.closed)
    return out


# --- notifications --------------------------------------------------------------------------------


def _staff(organ_id: int, role: str, *, own_organ_only: bool = False, cache: dict | None = None) -> list:
    """Active staff holding ``role`` in the organ (or, unless ``own_organ_only``, in a region
    containing it)."""
    key = (organ_id, role, own_organ_only)
    if cache is not None and key in cache:
        return cache[key]

    organ = Organ.objects.get(pk=organ_id)
    role_rows = StaffRole.objects.filter(role=role).select_related("region")
    ids = {r.user_id for r in role_rows if r.organ_id == organ_id
           or (not own_organ_only and r.region_id and organ.region_id.startswith(r.region.prefix))}
    people = list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))
    if cache is not None:
        cache[key] = people
    return people


def recipients(warning: Warning, *, escalated: bool = False, cache: dict | None = None) -> list:
    """Who is told: the staff member handling the case (else the organ's own window officers; for an
    item, its catalogue administrators); for yellow and red also the organ's head (approvers); on
    escalation the head and the supervisors of the region. ``cache``: staff lists kept for one run."""
    people = []
    if warning.item_id:
        people += _staff(warning.organ_id, Role.CATALOG_ADMIN, cache=cache)
    elif warning.responsible_id:
        people.append(_user(warning.responsible_id, cache))
    else:
        people += _staff(warning.organ_id, Role.WINDOW_OFFICER, own_organ_only=True, cache=cache)
    if warning.level != Level.NOTICE or escalated:
        people += _staff(warning.organ_id, Role.APPROVER, cache=cache)
    if escalated:
        people += _staff(warning.organ_id, Role.SUPERVISOR, cache=cache)
    seen, out = set(), []
    for p in people:
        if p is not None and p.pk not in seen and p.is_active:
            seen.add(p.pk)
            out.append(p)
    return out


def _user(pk: int, cache: dict | None):

    if cache is not None and ("user", pk) in cache:
        return cache[("user", pk)]
    user = User.objects.filter(pk=pk).first()
    if cache is not None:
        cache[("user", pk)] = user
    return user


def _notify_new(by_organ: dict[int, list[Warning]]) -> None:
    """One message per recipient per run (a digest when a scan raises several)."""

    per_person: dict[int, tuple] = {}
    cache: dict = {}
    for warnings in by_organ.values():
        for w in warnings:
            for person in recipients(w, cache=cache):
                per_person.setdefault(person.pk, (person, []))[1].append(w)
    for person, warnings in per_person.values():
        worst = max(warnings, key=lambda w: R.LEVEL_RANK[w.level])
        if len(warnings) == 1:
            w = warnings[0]
            subject_zh = f"电子监察{R.LEVEL_ZH[w.level]}：{w.rule.title_zh}"
            subject_en = f"Supervision {w.level}: {w.rule.title_en}"
            body_zh, body_en = w.message_zh, w.message_en
            link = f"/console/supervision/warnings/{w.pk}/"
        else:
            counts = defaultdict(int)
            for w in warnings:
                counts[w.level] += 1
            summary_zh = "，".join(f"{R.LEVEL_ZH[k]} {v} 条" for k, v in counts.items())
            subject_zh = f"电子监察：新增 {len(warnings)} 条预警（最高{R.LEVEL_ZH[worst.level]}）"
            subject_en = f"Supervision: {len(warnings)} new warnings (worst: {worst.level})"
            body_zh = f"{summary_zh}。" + "；".join(w.message_zh for w in warnings[:10])
            body_en = f"{len(warnings)} new warnings. " + "; ".join(w.message_en for w in warnings[:10])
            link = "/console/supervision/warnings/"
        notify(recipient=person, kind="supervision.warning", subject_zh=subject_zh, subject_en=subject_en,
               body_zh=body_zh[:4000], body_en=body_en[:4000], link=link,
               case_number=warnings[0].facts.get("number", "") if len(warnings) == 1 else "")


def _notify_escalation(warning: Warning, text: str) -> None:

    for person in recipients(warning, escalated=True):
        notify(recipient=person, kind="supervision.escalated",
               subject_zh=f"电子监察预警已升级（第 {warning.escalation} 次）：{warning.rule.title_zh}",
               subject_en=f"Supervision warning escalated ({warning.escalation}): {warning.rule.title_en}",
               body_zh=f"{warning.message_zh}。{text}", body_en=f"{warning.message_en}. {text}",
               link=f"/console/supervision/warnings/{warning.pk}/")


# --- the workflow ---------------------------------------------------------------------------------


def _move(warning: Warning, actor, to: str, text: str = "", *, fields=()) -> WarningTransition:
    before = warning.state
    warning.state = to
    warning.save(update_fields=["state", "updated_at", *fields])
    t = WarningTransition.objects.create(warning=warning, at=timezone.now(),
                                         actor=actor if getattr(actor, "pk", None) else None,
                                         actor_label=_label(actor), from_state=before, to_state=to, text=text)
    audit.record(actor=actor, action=f"supervision.warning.{to}", target_type="supervision.warning",
                 target_id=str(warning.pk), target_label=f"{warning.rule.code} {warning.subject}",
                 before={"state": before}, after={"state": to, "escalation": warning.escalation}, reason=text)
    return t


def organ_ids_for(user, permission: str) -> set[int]:
    if not getattr(user, "pk", None):
        return set()
    return set(Organ.objects.filter(organs_q(user, roles=roles_with(permission))).values_list("pk", flat=True))


def can_see(user, warning: Warning) -> bool:
    return warning.organ_id in (organ_ids_for(user, WARNING_RESPOND) | organ_ids_for(user, WARNING_DECIDE))


def _lock(actor, warning: Warning, permission: str) -> Warning:
    locked = Warning.objects.select_for_update().select_related("rule").get(pk=warning.pk)
    if actor is not None:
        if not can_see(actor, locked):
            raise NotFound(str(warning.pk))
        if locked.organ_id not in organ_ids_for(actor, permission):
            raise DomainError.single("supervision.forbidden", "您没有进行此项操作的权限",
                                     "you may not take this action on this warning")
    return locked


def _require(warning: Warning, *states) -> None:
    if warning.state not in states:
        raise DomainError.single("supervision.warning.state",
                                 f"预警当前状态为“{WarningState(warning.state).label}”，不能进行此操作",
                                 f"the warning is {warning.state}: this action is not possible now", "")


def _text(text: str, code: str, zh: str, en: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError.single(code, zh, en, "text")
    return text[:4000]


@transaction.atomic
def warning_acknowledge(*, actor, warning: Warning) -> Warning:
    """The organ has seen the warning. Audit: supervision.warning.acknowledged."""
    warning = _lock(actor, warning, WARNING_RESPOND)
    _require(warning, S.OPEN, S.ESCALATED)
    _move(warning, actor, S.ACKNOWLEDGED)
    return warning


@transaction.atomic
def warning_explain(*, actor, warning: Warning, text: str) -> Warning:
    """The organ's explanation (情况说明). Audit: supervision.warning.explained."""
    warning = _lock(actor, warning, WARNING_RESPOND)
    _require(warning, S.OPEN, S.ACKNOWLEDGED, S.ESCALATED)
    _move(warning, actor, S.EXPLAINED, _text(text, "supervision.explain.text", "请填写情况说明",
                                            "write the explanation"))
    return warning


@transaction.atomic
def warning_rectify(*, actor, warning: Warning, text: str) -> Warning:
    """The organ reports what it corrected (整改情况). Audit: supervision.warning.rectified."""
    warning = _lock(actor, warning, WARNING_RESPOND)
    _require(warning, S.OPEN, S.ACKNOWLEDGED, S.EXPLAINED, S.ESCALATED)
    _move(warning, actor, S.RECTIFIED, _text(text, "supervision.rectify.text", "请填写整改情况",
                                            "write what was rectified"))
    return warning


@transaction.atomic
def warning_close(*, actor, warning: Warning, text: str) -> Warning:
    """The supervisor closes the warning (rectification accepted, or a false alarm, with the reason).
    Audit: supervision.warning.closed."""
    warning = _lock(actor, warning, WARNING_DECIDE)
    _require(warning, *OPEN_WARNING_STATES)
    _move(warning, actor, S.CLOSED, _text(text, "supervision.close.text", "请填写办结意见",
                                         "write the closing opinion"))
    return warning


@transaction.atomic
def warning_escalate(*, actor, warning: Warning, text: str) -> Warning:
    """The supervisor (or, for an overdue rectification, the system) escalates: the organ's head and
    the supervisors are told and a new rectification period starts. Audit: supervision.warning.escalated."""
    warning = _lock(actor, warning, WARNING_DECIDE)
    _require(warning, *OPEN_WARNING_STATES)
    text = _text(text, "supervision.escalate.text", "请填写升级理由", "give the reason for escalating")
    _escalate(warning, actor, text)
    return warning


def _escalate(warning: Warning, actor, text: str) -> None:
    warning.escalation += 1
    days = rectify_days(warning.level) or rectify_days("yellow")
    try:
        warning.rectify_due = get_calendar().add_working_days(_today(), days)
    except CalendarYearUnknown:
        warning.rectify_due = None
    _move(warning, actor, S.ESCALATED, text, fields=("escalation", "rectify_due"))
    _notify_escalation(warning, text)


def escalate_overdue(*, today: dt.date | None = None) -> int:
    """Yellow and red warnings not rectified by their due date escalate by themselves."""
    today = today or _today()
    done = 0
    due = (Warning.objects.filter(state__in=[S.OPEN, S.ACKNOWLEDGED, S.EXPLAINED, S.ESCALATED],
                                  rectify_due__lt=today).values_list("pk", flat=True))
    for pk in list(due):
        with transaction.atomic():
            w = Warning.objects.select_for_update().select_related("rule").get(pk=pk)
            if w.state in (S.RECTIFIED, S.CLOSED) or w.rectify_due is None or w.rectify_due >= today:
                continue
            _escalate(w, None, f"整改期限 {w.rectify_due} 已过，自动升级 / rectification overdue since {w.rectify_due}")
            done += 1
    return done
