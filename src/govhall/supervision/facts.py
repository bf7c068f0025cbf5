"""Facts for the rules, read in bulk: one query per table for a chunk of cases (no query per case),
so a scan over a million cases and the evaluation of one event read the database the same way."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from govhall.cases.models import (
    Case,
    CaseEvent,
    CaseStep,
    CorrectionItem,
    PaymentOrder,
    SpecialProcedure,
)
from govhall.cases.payments import amount_from_standard
from govhall.catalog.codesets import FETCHED_SOURCES
from govhall.catalog.models import FeeItem, ItemVersion, ProcessStep, in_force_q
from govhall.sharing.models import FetchableRequest

from .rules import CaseFacts, ItemFacts, PauseFacts, StepFacts

HANDLING_KINDS = ("undertake", "review", "approve")
CASE_FIELDS = ("pk", "number", "organ_id", "item_id", "organ__region_id", "state", "application__channel",
               "is_immediate", "received_at", "last_received_on", "acceptance_due", "accepted_on",
               "acceptance_deemed", "acceptance_notice_number", "clock_start", "promised_days", "due_date",
               "legal_due_date", "closed_at", "result_code", "assignee_id",
               # one-to-one rows of the case, joined (one query instead of three per chunk)
               "decision__outcome", "decision__reasons", "decision__legal_basis", "decision__decided_at",
               "payment__amount_fen", "payment__state", "correction_notice__issued_at",
               "version__fee_charged", "version_id")


class VersionInfo:
    """What the guide version says, once per version for a whole scan."""

    __slots__ = ("fee_charged", "fee_fen", "step_limits", "has_steps")

    def __init__(self, fee_charged: bool, fee_fen: int | None, step_limits: list[int | None]):
        self.fee_charged, self.fee_fen, self.step_limits = fee_charged, fee_fen, step_limits
        self.has_steps = bool(step_limits)


class FactLoader:
    """Builds ``CaseFacts`` for chunks of case ids; guide versions are read once per run."""

    def __init__(self):
        self.versions: dict[int, VersionInfo] = {}
        self.tz = timezone.get_current_timezone()

    def _date(self, moment: dt.datetime | None) -> dt.date | None:
        return moment.astimezone(self.tz).date() if moment else None

    def _load_versions(self, charged_of: dict[int, bool]) -> None:
        missing = set(charged_of) - self.versions.keys()
        if not missing:
            return
        fees: dict[int, list[str]] = defaultdict(list)

        for vid, standard in FeeItem.objects.filter(version_id__in=missing).values_list("version_id", "standard"):
            fees[vid].append(standard)
        steps: dict[int, list[int | None]] = defaultdict(list)
        for vid, limit in (ProcessStep.objects.filter(version_id__in=missing, kind__in=HANDLING_KINDS)
                           .order_by("version_id", "order", "id").values_list("version_id", "time_limit_days")):
            steps[vid].append(limit)
        for vid, charged in charged_of.items():
            if vid not in missing:
                continue
            amounts = [amount_from_standard(s) for s in fees.get(vid, [])]
            fen = None if any(a is None for a in amounts) else sum(amounts)
            self.versions[vid] = VersionInfo(charged, fen, steps.get(vid, []))

    def cases(self, ids) -> list[CaseFacts]:
        rows = list(Case.objects.filter(pk__in=ids).values_list(*CASE_FIELDS))
        return self.build(rows)

    def build(self, rows: list[tuple]) -> list[CaseFacts]:
        if not rows:
            return []
        ids = [r[0] for r in rows]
        self._load_versions({r[-1]: r[-2] for r in rows})
        refused_ids = [r[0] for r in rows if r[5] == "not_accepted"]
        refusals = {}
        if refused_ids:
            for c, at, detail in (CaseEvent.objects.filter(case_id__in=refused_ids, kind="not_accepted")
                                  .values_list("case_id", "at", "detail")):
                refusals[c] = (self._date(at), (detail or {}).get("reason", ""), (detail or {}).get("legal_basis", ""))
        noticed = [r[0] for r in rows if r[-3] is not None]
        fetchable_items: dict[int, list[str]] = defaultdict(list)
        if noticed:
            for c, name in (CorrectionItem.objects.filter(notice__case_id__in=noticed,
                                                          application_material__material__source__in=FETCHED_SOURCES)
                            .values_list("notice__case_id", "application_material__material__name")):
                fetchable_items[c].append(name)
        requests: dict[int, list[str]] = defaultdict(list)

        for c, name in FetchableRequest.objects.filter(case_id__in=ids).values_list("case_id", "material__name"):
            requests[c].append(name)
        steps: dict[int, list[tuple]] = defaultdict(list)
        for row in (CaseStep.objects.filter(case_id__in=ids).exclude(state=CaseStep.State.CANCELLED)
                    .values_list("case_id", "pk", "order", "kind", "name", "started_at", "finished_at")
                    .order_by("case_id", "order", "pk")):
            steps[row[0]].append(row)
        pauses: dict[int, list[PauseFacts]] = defaultdict(list)
        for c, s, e in SpecialProcedure.objects.filter(case_id__in=ids).values_list("case_id", "started_on", "ended_on"):
            pauses[c].append(PauseFacts(s, e))
        out = []
        for (pk, number, organ_id, item_id, region, state, channel, immediate, received_at, last_received,
             acceptance_due, accepted_on, deemed, notice_no, clock_start, promised, due, legal_due, closed_at,
             result_code, assignee_id, d_outcome, d_reasons, d_basis, d_at, fee_fen, fee_state, notice_at,
             _charged, version_id) in rows:
            info = self.versions[version_id]
            step_facts = []
            for _c, spk, order, kind, name, started, finished in steps.get(pk, ()):
                limit = None
                if kind != "joint" and 1 <= order <= len(info.step_limits):
                    limit = info.step_limits[order - 1]
                step_facts.append(StepFacts(spk, name, kind, self._date(started), self._date(finished), limit))
            decision = (d_outcome, d_reasons, d_basis, d_at) if d_outcome else None
            refusal = refusals.get(pk)
            issued = [self._date(notice_at)] if notice_at else []
            out.append(CaseFacts(
                case_id=pk, number=number, organ_id=organ_id, item_id=item_id, region_code=region, state=state,
                channel=channel, is_immediate=immediate, received_on=self._date(received_at),
                received_at=received_at, last_received_on=last_received, acceptance_due=acceptance_due,
                accepted_on=accepted_on, acceptance_deemed=deemed, acceptance_notice=notice_no,
                clock_start=clock_start, promised_days=promised, due_date=due, legal_due_date=legal_due,
                closed_on=self._date(closed_at), result_code=result_code, assignee_id=assignee_id,
                decided_on=self._date(decision[3]) if decision else None,
                decided_at=decision[3] if decision else None,
                decision_outcome=decision[0] if decision else "", decision_reasons=decision[1] if decision else "",
                decision_legal_basis=decision[2] if decision else "",
                refused_on=refusal[0] if refusal else (self._date(closed_at) if state == "not_accepted" else None),
                refusal_reason=refusal[1] if refusal else None, refusal_legal_basis=refusal[2] if refusal else None,
                correction_notices=len(issued), correction_issued_on=min(issued) if issued else None,
                correction_fetchable_items=tuple(fetchable_items.get(pk, ())),
                fetchable_requests=tuple(requests.get(pk, ())),
                fee_charged_in_catalogue=info.fee_charged, catalogue_fee_fen=info.fee_fen,
                charged_fen=fee_fen if fee_state and fee_state != PaymentOrder.State.CANCELLED else None, steps=tuple(step_facts), guide_has_steps=info.has_steps,
                pauses=tuple(pauses.get(pk, ())),
            ))
        return out


def item_facts(today: dt.date, item_ids=None) -> list[ItemFacts]:
    """Published versions in force, for the completeness rule."""
    qs = ItemVersion.objects.filter(in_force_q(today))
    if item_ids is not None:
        qs = qs.filter(item_id__in=item_ids)
    return [ItemFacts(item_id=i, version_id=v, organ_id=o, region_code=r, name=n, completeness=c, effective_from=f)
            for v, i, o, r, n, c, f in qs.values_list("pk", "item_id", "item__organ_id", "item__organ__region_id",
                                                      "name", "completeness", "effective_from")]
